import Foundation
import Logging
import NIOCore
import PostgresNIO
import UserSyncDomain

/// One-time consent links and the OAuth states derived from them, stored as hashes only. Every
/// method runs on a connection scoped to `organization`.
public struct ConsentTokenRepository: Sendable {
    public init() {}

    public struct Record: Sendable, Equatable {
        public var tokenHash: Data
        public var syncID: SyncID
        public var expiresAt: Date
        public var deliveredAt: Date?
        public var usedAt: Date?
        public var supersededAt: Date?
        public var stateExpiresAt: Date?

        /// A link that may still be used.
        public func isLive(at now: Date) -> Bool { usedAt == nil && supersededAt == nil && expiresAt > now }
    }

    static let columns = "token_hash, sync_id, expires_at, delivered_at, used_at, superseded_at, state_expires_at"

    /// A new link, by its hash, for a sync.
    public struct NewLink: Sendable {
        public var sync: SyncID
        public var tokenHash: Data
        public var expiresAt: Date

        public init(sync: SyncID, tokenHash: Data, expiresAt: Date) {
            self.sync = sync
            self.tokenHash = tokenHash
            self.expiresAt = expiresAt
        }
    }

    /// Stores new links for their syncs. They work at once, but earlier links of the same syncs
    /// keep working until the new one's prompt is delivered (``markDelivered(_:tokenHashes:on:logger:)``).
    public func create(_ organization: OrganizationID, _ links: [NewLink], on db: PostgresConnection, logger: Logger) async throws {
        guard !links.isEmpty else { return }
        try await db.query(
            """
            INSERT INTO consent_tokens (org_id, token_hash, sync_id, expires_at)
            SELECT \(organization.rawValue), t.hash, t.sync, t.expires
            FROM unnest(\(links.map { ByteBuffer(bytes: $0.tokenHash) })::bytea[], \(links.map(\.sync.rawValue))::uuid[],
                        \(links.map(\.expiresAt))::timestamptz[]) AS t(hash, sync, expires)
            """, logger: logger)
    }

    /// Notes that the prompts carrying these links went out; every older unused link of their
    /// syncs stops working (the person has the newest one now; a newer one is left alone).
    public func markDelivered(_ organization: OrganizationID, tokenHashes: [Data], on db: PostgresConnection, logger: Logger) async throws {
        guard !tokenHashes.isEmpty else { return }
        // One key at a time in the database (sql/0018): a join of the batch against the
        // organization's links was planned from statistics and cost grew with every link.
        try await db.run(
            "SELECT usersync_deliver_consent_tokens(\(organization.rawValue), \(tokenHashes.map { ByteBuffer(bytes: $0) })::bytea[])",
            logger: logger)
    }

    /// Which of `syncs` have a live, delivered link: their prompt already went out.
    public func prompted(_ organization: OrganizationID, syncs: [SyncID], on db: PostgresConnection, logger: Logger) async throws -> Set<SyncID> {
        guard !syncs.isEmpty else { return [] }
        let rows = try await db.query(
            """
            SELECT DISTINCT sync_id FROM consent_tokens
            WHERE org_id = \(organization.rawValue) AND sync_id = ANY(\(syncs.map(\.rawValue))::uuid[]) AND used_at IS NULL
              AND superseded_at IS NULL AND delivered_at IS NOT NULL AND expires_at > now()
            """, logger: logger)
        var result: Set<SyncID> = []
        for try await id in rows.decode(UUID.self) { result.insert(SyncID(id)) }
        return result
    }

    public func find(_ organization: OrganizationID, tokenHash: Data, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger) async throws
        -> Record?
    {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM consent_tokens
            WHERE org_id = \(organization.rawValue) AND token_hash = \(tokenHash)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    public func find(_ organization: OrganizationID, stateHash: Data, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger) async throws
        -> Record?
    {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM consent_tokens
            WHERE org_id = \(organization.rawValue) AND state_hash = \(stateHash)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    /// Binds a fresh OAuth state to the link (opening the link again replaces it).
    public func setState(
        _ organization: OrganizationID, tokenHash: Data, stateHash: Data, expiresAt: Date, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE consent_tokens SET state_hash = \(stateHash), state_expires_at = \(expiresAt)
            WHERE org_id = \(organization.rawValue) AND token_hash = \(tokenHash)
            """, logger: logger)
    }

    /// Uses up the link (and its state).
    public func markUsed(_ organization: OrganizationID, tokenHash: Data, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            UPDATE consent_tokens SET used_at = now(), state_hash = NULL
            WHERE org_id = \(organization.rawValue) AND token_hash = \(tokenHash)
            """, logger: logger)
    }

    /// Forgets the state but keeps the link usable (the person signed in as someone else).
    public func clearState(_ organization: OrganizationID, tokenHash: Data, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            UPDATE consent_tokens SET state_hash = NULL, state_expires_at = NULL
            WHERE org_id = \(organization.rawValue) AND token_hash = \(tokenHash)
            """, logger: logger)
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Record] {
        var result: [Record] = []
        for try await r in rows.decode((Data, UUID, Date, Date?, Date?, Date?, Date?).self) {
            result.append(
                Record(
                    tokenHash: r.0, syncID: SyncID(r.1), expiresAt: r.2, deliveredAt: r.3, usedAt: r.4, supersededAt: r.5, stateExpiresAt: r.6))
        }
        return result
    }
}
