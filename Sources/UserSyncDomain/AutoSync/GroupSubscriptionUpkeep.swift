import Foundation

/// What keeps a followed Entra group's change-notification subscription alive (platform-apis.md
/// §2.7): every followed group has one, none outlives its group's last policy, and each is
/// renewed well before it lapses or when Graph asks for reauthorization. A subscription that
/// lapsed anyway is made again. Subscriptions only speed things up: the scheduled delta polls
/// stay, so a lost subscription or notification costs at most one poll interval.
public enum GroupSubscriptionUpkeep {
    /// How long a subscription is asked for (Graph allows up to 41,760 minutes for groups).
    public static let lifetime: TimeInterval = 3 * 86_400
    /// A subscription with less than this left is renewed: a poll every few minutes renews it
    /// about once a day, with two days to spare if the worker stops.
    public static let renewalMargin: TimeInterval = 2 * 86_400

    public struct Held: Sendable, Equatable {
        public var groupID: String
        public var subscriptionID: String
        public var expiresAt: Date
        public var reauthorize: Bool

        public init(groupID: String, subscriptionID: String, expiresAt: Date, reauthorize: Bool) {
            self.groupID = groupID
            self.subscriptionID = subscriptionID
            self.expiresAt = expiresAt
            self.reauthorize = reauthorize
        }
    }

    public enum Action: Sendable, Equatable {
        case subscribe(group: String)
        /// Renewing with Graph (`PATCH`) also answers a reauthorization request.
        case renew(subscription: String, group: String)
        case unsubscribe(subscription: String)
    }

    /// The actions, in group order, that leave exactly the followed groups subscribed.
    public static func actions(following groups: Set<String>, held: [Held], now: Date) -> [Action] {
        var actions: [Action] = []
        let heldByGroup = Dictionary(held.map { ($0.groupID, $0) }, uniquingKeysWith: { first, _ in first })
        for group in groups.sorted() {
            guard let subscription = heldByGroup[group], subscription.expiresAt > now else {
                actions.append(.subscribe(group: group))
                continue
            }
            if subscription.reauthorize || subscription.expiresAt.timeIntervalSince(now) < renewalMargin {
                actions.append(.renew(subscription: subscription.subscriptionID, group: group))
            }
        }
        for subscription in held.sorted(by: { $0.groupID < $1.groupID }) where !groups.contains(subscription.groupID) {
            actions.append(.unsubscribe(subscription: subscription.subscriptionID))
        }
        return actions
    }
}
