import UserSyncDomain

/// One round of changes to a directory group's membership (Graph delta query).
public struct DirectoryGroupDelta: Sendable, Equatable {
    public var groupID: String
    public var displayName: String?
    /// The round started from nothing: `added` is the whole membership and anyone else stored
    /// as a member has left.
    public var isFull: Bool
    /// The platform no longer honoured the stored link (expired, 410 Gone), so the round started
    /// again from nothing.
    public var resynced: Bool
    /// User ids that joined (or, in a full round, are members).
    public var added: Set<String>
    /// User ids that left.
    public var removed: Set<String>
    /// Where the next round starts.
    public var nextLink: String

    public init(groupID: String, displayName: String?, isFull: Bool, resynced: Bool, added: Set<String>, removed: Set<String>, nextLink: String) {
        self.groupID = groupID
        self.displayName = displayName
        self.isFull = isFull
        self.resynced = resynced
        self.added = added
        self.removed = removed
        self.nextLink = nextLink
    }
}

/// A connector that follows directory groups' membership incrementally (Microsoft Graph).
public protocol DirectoryGroupFollowing: PlatformConnector {
    /// The changes to `groupID`'s user members since the round that returned `link`, or the
    /// whole membership when `link` is nil (or no longer honoured).
    func groupDelta(groupID: String, from link: String?) async throws(PlatformFailure) -> DirectoryGroupDelta
}
