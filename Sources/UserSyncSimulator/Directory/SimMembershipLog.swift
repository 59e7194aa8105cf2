/// Entra group membership changes of one organization, in order, so Graph delta queries can say
/// what changed since a token. A token is a position in this log; positions are never reused,
/// and replaying a token reads the same entries again.
struct SimMembershipLog: Sendable {
    struct Change: Sendable {
        /// Index into the Teams directory's teams (every team is a group with the same id).
        var team: Int
        /// Index into the Teams directory's accounts.
        var account: Int
        var added: Bool
        /// Graph's `@removed.reason` for a removal: `deleted` when taken out of the group,
        /// `changed` when the user was deleted (restorable) and so left it.
        var reason: String
    }

    private(set) var changes: [Change] = []
    /// Changes when tokens are expired (and differs per seeding): a token of another epoch is
    /// refused with 410 Gone.
    private(set) var epoch = UInt64.random(in: 0...UInt64.max)

    /// The position after the last change: where a round that starts now ends.
    var position: Int { changes.count }

    mutating func append(_ change: Change) { changes.append(change) }

    mutating func expireTokens() { epoch &+= 1 }
}
