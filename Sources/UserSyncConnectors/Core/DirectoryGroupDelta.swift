import Foundation
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

/// A platform's subscription to changes of one group's members (a Graph change-notification
/// subscription), which lives until `expiresAt` unless renewed.
public struct GroupSubscription: Sendable, Equatable {
    public var id: String
    public var expiresAt: Date

    public init(id: String, expiresAt: Date) {
        self.id = id
        self.expiresAt = expiresAt
    }
}

/// A connector that can also push word of membership changes (Graph change notifications,
/// platform-apis.md §2.7): a notification only says "this group changed", and the receiver runs
/// the group's delta round. Asking for a subscription makes the platform check `notificationURL`
/// first (the validation handshake), so the URL must already answer.
public protocol DirectoryGroupSubscribing: DirectoryGroupFollowing {
    func subscribe(groupID: String, notificationURL: String, clientState: String, expiresAt: Date) async throws(PlatformFailure) -> GroupSubscription
    /// Moves the expiry on (which also answers a `reauthorizationRequired` lifecycle
    /// notification); `targetNotFound` when the platform no longer has the subscription.
    func renewSubscription(_ id: String, expiresAt: Date) async throws(PlatformFailure) -> GroupSubscription
    /// Ends the subscription; one already gone is not an error.
    func deleteSubscription(_ id: String) async throws(PlatformFailure)
}
