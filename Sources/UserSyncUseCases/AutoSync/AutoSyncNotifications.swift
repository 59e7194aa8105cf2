import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncSecrets

/// Graph change notifications for followed Entra groups (platform-apis.md §2.7): the worker keeps
/// one subscription per group (made, renewed, ended with the group's policies, after each
/// poll), and a notification whose client state matches a stored subscription queues a delta
/// poll of its connection at once. The scheduled polls stay as the safety net.
public struct AutoSyncNotifications: Sendable {
    let database: Database
    let now: @Sendable () -> Date
    let subscriptions = AutoSyncSubscriptionRepository()

    public init(database: Database, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.now = now
    }

    /// Where Graph sends an organization's notifications, under the deployment's public URL.
    public static func url(publicURL: String, organization: OrganizationID) -> String {
        "\(publicURL)/events/graph/\(organization)"
    }

    // MARK: Receiving

    /// One notification of a batch, as Graph sends it (change or lifecycle).
    public struct Notification: Decodable, Sendable {
        public var subscriptionId: String
        public var clientState: String?
        public var lifecycleEvent: String?
    }

    public struct Batch: Decodable, Sendable {
        public var value: [Notification]
    }

    /// How many notifications were taken, and how many were refused (no such subscription, or
    /// a client state that does not match).
    public struct Receipt: Sendable, Equatable {
        public var accepted = 0
        public var refused = 0
    }

    /// Takes a batch: each notification with a matching client state queues a poll of its
    /// connection (one per connection, however many arrive); `reauthorizationRequired` also marks
    /// the subscription for renewal and `subscriptionRemoved` forgets it, so the poll makes it
    /// again. Nothing else is stored.
    public func receive(_ batch: Batch, organization: OrganizationID, logger: Logger) async throws -> Receipt {
        let ids = Array(Set(batch.value.map(\.subscriptionId)))
        return try await database.withTenant(organization, logger: logger) { db in
            let stored = Dictionary(
                try await subscriptions.find(organization, ids: ids, on: db, logger: logger).map { ($0.subscriptionID, $0) },
                uniquingKeysWith: { first, _ in first })
            var receipt = Receipt()
            var connections = Set<ConnectionID>()
            for notification in batch.value {
                guard let subscription = stored[notification.subscriptionId],
                    constantTimeEquals(sha256(notification.clientState ?? ""), subscription.clientStateHash)
                else {
                    receipt.refused += 1
                    continue
                }
                receipt.accepted += 1
                connections.insert(subscription.connectionID)
                switch notification.lifecycleEvent {
                case "reauthorizationRequired":
                    try await subscriptions.needsReauthorization(organization, subscription: subscription.subscriptionID, on: db, logger: logger)
                case "subscriptionRemoved":
                    try await subscriptions.delete(organization, subscription: subscription.subscriptionID, on: db, logger: logger)
                default: break
                }
            }
            for connection in connections.sorted(by: { $0.description < $1.description }) {
                _ = try await AutoSyncPoller.request(connection, organization: organization, on: db, logger: logger)
            }
            if receipt.refused > 0 {
                logger.warning("graph notifications refused", metadata: ["accepted": "\(receipt.accepted)", "refused": "\(receipt.refused)"])
            }
            return receipt
        }
    }

    // MARK: Keeping subscriptions

    /// Makes, renews and ends `connection`'s subscriptions so that exactly `groups` have one.
    /// A failure is logged and left to the next poll: notifications only make polls sooner.
    public func keep(
        _ groups: Set<String>, through connector: any DirectoryGroupSubscribing, connection: ConnectionID, organization: OrganizationID,
        notificationURL: String, logger: Logger
    ) async throws {
        let held = try await database.withTenant(organization, logger: logger) { db in
            try await subscriptions.list(organization, connection: connection, on: db, logger: logger)
        }
        let at = now()
        let actions = GroupSubscriptionUpkeep.actions(
            following: groups,
            held: held.map { .init(groupID: $0.groupID, subscriptionID: $0.subscriptionID, expiresAt: $0.expiresAt, reauthorize: $0.reauthorize) },
            now: at)
        let expiry = at.addingTimeInterval(GroupSubscriptionUpkeep.lifetime)
        for action in actions {
            do {
                switch action {
                case .subscribe(let group):
                    try await subscribe(
                        group, through: connector, connection: connection, organization: organization, url: notificationURL, expiry: expiry,
                        logger: logger)
                case .renew(let subscription, let group):
                    do {
                        let renewed = try await connector.renewSubscription(subscription, expiresAt: expiry)
                        try await database.withTenant(organization, logger: logger) { db in
                            try await subscriptions.renewed(
                                organization, subscription: subscription, expiresAt: renewed.expiresAt, on: db, logger: logger)
                        }
                    } catch let failure as PlatformFailure where failure.cause == .targetNotFound {
                        try await subscribe(
                            group, through: connector, connection: connection, organization: organization, url: notificationURL, expiry: expiry,
                            logger: logger)
                    }
                case .unsubscribe(let subscription):
                    try await connector.deleteSubscription(subscription)
                    try await database.withTenant(organization, logger: logger) { db in
                        try await subscriptions.delete(organization, subscription: subscription, on: db, logger: logger)
                    }
                }
            } catch let failure as PlatformFailure {
                logger.warning(
                    "graph subscription not kept",
                    metadata: [
                        "connection": "\(connection)", "action": "\(action)", "error": "\(failure.message)",
                    ])
            }
        }
    }

    private func subscribe(
        _ group: String, through connector: any DirectoryGroupSubscribing, connection: ConnectionID, organization: OrganizationID, url: String,
        expiry: Date, logger: Logger
    ) async throws {
        let clientState = randomSecret()
        let made = try await connector.subscribe(groupID: group, notificationURL: url, clientState: clientState, expiresAt: expiry)
        try await database.withTenant(organization, logger: logger) { db in
            try await subscriptions.save(
                organization, connection: connection, group: group, subscription: made.id, clientStateHash: sha256(clientState),
                expiresAt: made.expiresAt, on: db, logger: logger)
        }
        logger.info("graph subscription made", metadata: ["connection": "\(connection)", "group": "\(group)", "subscription": "\(made.id)"])
    }
}
