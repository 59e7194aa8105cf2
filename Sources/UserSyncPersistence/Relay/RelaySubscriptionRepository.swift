import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Linked people's own subscriptions to their DMs (`relay_subscriptions`): where the relay hears
/// a linked account only through a subscription made with the person's token, which lapses
/// unless renewed (Teams). Every method runs on a connection scoped to `organization`.
public struct RelaySubscriptionRepository: Sendable {
    public init() {}

    public struct Held: Sendable, Equatable {
        public var sync: SyncID
        public var connection: ConnectionID
        public var subscriptionID: String
        public var clientStateHash: Data
        public var expiresAt: Date
        /// The linked account the subscription listens for (its platform user id).
        public var account: String?
    }

    static let columns = """
        SELECT r.sync_id, r.connection_id, r.subscription_id, r.client_state_hash, r.expires_at, a.platform_user_id
        FROM relay_subscriptions r
        JOIN syncs s ON s.org_id = r.org_id AND s.id = r.sync_id
        LEFT JOIN platform_accounts a ON a.org_id = s.org_id AND a.id = s.linked_account_id
        """

    /// The subscription of a link sync.
    public func get(_ organization: OrganizationID, sync: SyncID, on db: PostgresConnection, logger: Logger) async throws -> Held? {
        try await Self.decode(
            db.query(
                "\(unescaped: Self.columns) WHERE r.org_id = \(organization.rawValue) AND r.sync_id = \(sync.rawValue)", logger: logger)
        ).first
    }

    /// The subscriptions with these ids (what a batch of notifications names).
    public func find(_ organization: OrganizationID, ids: [String], on db: PostgresConnection, logger: Logger) async throws -> [Held] {
        guard !ids.isEmpty else { return [] }
        return try await Self.decode(
            db.query(
                "\(unescaped: Self.columns) WHERE r.org_id = \(organization.rawValue) AND r.subscription_id = ANY(\(ids)::text[])",
                logger: logger))
    }

    /// Records a subscription made for a link sync, replacing the one it had.
    public func save(
        _ organization: OrganizationID, sync: SyncID, connection: ConnectionID, subscriptionID: String, clientStateHash: Data, expiresAt: Date,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            INSERT INTO relay_subscriptions (org_id, sync_id, connection_id, subscription_id, client_state_hash, expires_at)
            VALUES (\(organization.rawValue), \(sync.rawValue), \(connection.rawValue), \(subscriptionID), \(clientStateHash), \(expiresAt))
            ON CONFLICT (org_id, sync_id) DO UPDATE SET
                connection_id = excluded.connection_id, subscription_id = excluded.subscription_id,
                client_state_hash = excluded.client_state_hash, expires_at = excluded.expires_at, created_at = now(), renewed_at = NULL
            """, logger: logger)
    }

    /// Records a renewal.
    public func renewed(_ organization: OrganizationID, sync: SyncID, expiresAt: Date, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            UPDATE relay_subscriptions SET expires_at = \(expiresAt), renewed_at = now()
            WHERE org_id = \(organization.rawValue) AND sync_id = \(sync.rawValue)
            """, logger: logger)
    }

    public func delete(_ organization: OrganizationID, sync: SyncID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM relay_subscriptions WHERE org_id = \(organization.rawValue) AND sync_id = \(sync.rawValue)", logger: logger)
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Held] {
        var held: [Held] = []
        for try await (sync, connection, id, hash, expires, account) in rows.decode((UUID, UUID, String, Data, Date, String?).self) {
            held.append(
                Held(
                    sync: SyncID(sync), connection: ConnectionID(connection), subscriptionID: id, clientStateHash: hash, expiresAt: expires,
                    account: account))
        }
        return held
    }
}
