import Foundation

/// A Graph change-notification subscription (platform-apis.md §2.7): on a group's members, or on
/// the chat messages of one person (`/users/{id}/chats/getAllMessages`).
public struct SimGraphSubscription: Sendable, Equatable {
    /// What a subscription watches.
    public enum Target: Sendable, Equatable, Hashable {
        /// A group's members (`/groups/{id}/members` or `/groups/{id}`).
        case group(String)
        /// Every message of every chat the person is in (`/users/{id}/chats/getAllMessages`).
        case chatMessages(userID: String)

        public var groupID: String? {
            if case .group(let id) = self { id } else { nil }
        }

        public var chatUserID: String? {
            if case .chatMessages(let id) = self { id } else { nil }
        }
    }

    public var id: String
    public var organization: String
    public var target: Target
    public var resource: String
    public var changeType: String
    public var notificationURL: String
    public var lifecycleNotificationURL: String?
    public var clientState: String?
    public var expiresAt: Date
    /// The person whose delegated token made it, who alone may change it with such a token; nil
    /// when the app token made it.
    public var creator: String?
    /// Set by ``PlatformSimulator/requireReauthorization(organization:subscriptionID:)``; renewing
    /// or reauthorizing clears it. While set, no change notifications are sent.
    public var needsReauthorization = false

    /// The group watched; nil for a subscription on something else.
    public var groupID: String? { target.groupID }

    /// The person whose chat messages are watched; nil for a subscription on something else.
    public var chatUserID: String? { target.chatUserID }

    /// Whether its comma-separated `changeType` names `change` (`created`, `updated`, `deleted`).
    func watches(_ change: String) -> Bool {
        changeType.split(separator: ",").contains { $0 == change }
    }
}

/// One notification the simulator sent (or tried to send), for tests to read.
public struct SimGraphNotification: Sendable, Equatable {
    public enum Kind: String, Sendable { case validation, change, lifecycle }
    public var organization: String
    public var subscriptionID: String?
    public var kind: Kind
    public var url: String
    /// The HTTP status answered, nil when the request failed (refused, timed out).
    public var status: Int?
    public var attempt: Int
}
