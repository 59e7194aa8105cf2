import Foundation

/// A Graph change-notification subscription (platform-apis.md §2.7) on a group's members.
public struct SimGraphSubscription: Sendable, Equatable {
    public var id: String
    public var organization: String
    public var groupID: String
    public var resource: String
    public var changeType: String
    public var notificationURL: String
    public var lifecycleNotificationURL: String?
    public var clientState: String?
    public var expiresAt: Date
    /// Set by ``PlatformSimulator/requireReauthorization(organization:subscriptionID:)``; renewing
    /// or reauthorizing clears it. While set, no change notifications are sent.
    public var needsReauthorization = false
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
