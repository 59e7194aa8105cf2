import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// The Graph change-notification subscriptions of followed Entra groups (one per group and
/// connection), with the SHA-256 of each one's client state.
public struct AutoSyncSubscriptionRepository: Sendable {
    public init() {}

    public struct Stored: Sendable, Equatable {
        public var connectionID: ConnectionID
        public var groupID: String
        public var subscriptionID: String
        public var clientStateHash: Data
        public var expiresAt: Date
        public var reauthorize: Bool
    }

    static let columns = "connection_id, group_id, subscription_id, client_state_hash, expires_at, reauthorize"

    /// The subscriptions made through `connection`.
    public func list(_ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger) async throws -> [Stored] {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM auto_sync_subscriptions
                WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue) ORDER BY group_id
                """, logger: logger))
    }

    /// The subscriptions with these Graph ids.
    public func find(_ organization: OrganizationID, ids: [String], on db: PostgresConnection, logger: Logger) async throws -> [Stored] {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM auto_sync_subscriptions
                WHERE org_id = \(organization.rawValue) AND subscription_id = ANY(\(ids)::text[])
                """, logger: logger))
    }

    /// Records the group's subscription, replacing any earlier one.
    public func save(
        _ organization: OrganizationID, connection: ConnectionID, group: String, subscription: String, clientStateHash: Data, expiresAt: Date,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            INSERT INTO auto_sync_subscriptions (org_id, connection_id, group_id, subscription_id, client_state_hash, expires_at)
            VALUES (\(organization.rawValue), \(connection.rawValue), \(group), \(subscription), \(clientStateHash), \(expiresAt))
            ON CONFLICT (org_id, connection_id, group_id) DO UPDATE SET
                subscription_id = excluded.subscription_id, client_state_hash = excluded.client_state_hash,
                expires_at = excluded.expires_at, reauthorize = false, created_at = now(), renewed_at = NULL
            """, logger: logger)
    }

    /// The subscription was renewed (or reauthorized) upstream.
    public func renewed(_ organization: OrganizationID, subscription: String, expiresAt: Date, on db: PostgresConnection, logger: Logger) async throws
    {
        try await db.query(
            """
            UPDATE auto_sync_subscriptions SET expires_at = \(expiresAt), reauthorize = false, renewed_at = now()
            WHERE org_id = \(organization.rawValue) AND subscription_id = \(subscription)
            """, logger: logger)
    }

    /// Graph asked for the subscription to be reauthorized.
    public func needsReauthorization(_ organization: OrganizationID, subscription: String, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "UPDATE auto_sync_subscriptions SET reauthorize = true WHERE org_id = \(organization.rawValue) AND subscription_id = \(subscription)",
            logger: logger)
    }

    public func delete(_ organization: OrganizationID, subscription: String, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM auto_sync_subscriptions WHERE org_id = \(organization.rawValue) AND subscription_id = \(subscription)", logger: logger)
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Stored] {
        var stored: [Stored] = []
        for try await (connection, group, subscription, hash, expiresAt, reauthorize) in rows.decode((UUID, String, String, Data, Date, Bool).self) {
            stored.append(
                Stored(
                    connectionID: ConnectionID(connection), groupID: group, subscriptionID: subscription, clientStateHash: hash, expiresAt: expiresAt,
                    reauthorize: reauthorize))
        }
        return stored
    }
}
