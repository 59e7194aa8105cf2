import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Sync records and their history. Every method runs on a connection scoped to `organization`.
/// Every status change goes through ``record(_:_:outcome:actor:changes:on:logger:)``, which writes
/// the new status and its history row together.
public struct SyncRepository: Sendable {
    public init() {}

    static let columns = """
        s.id, s.org_id, s.person_id, s.connection_id, c.platform, s.mode, s.status, s.cause, s.message, s.next_retry_at,
        s.fix_action, s.linked_account_id, s.virtual_identity, s.virtual_kind, s.user_tokens IS NOT NULL,
        s.user_token_expires_at, s.created_by, s.created_at, s.updated_at
        """

    public func get(
        _ organization: OrganizationID, _ id: SyncID, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> Sync {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = \(organization.rawValue) AND s.id = \(id.rawValue)
            \(unescaped: forUpdate ? "FOR UPDATE OF s" : "")
            """, logger: logger)
        guard let sync = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "sync") }
        return sync
    }

    /// The syncs of `people` (in connection order), with their history when asked.
    public func forPeople(
        _ organization: OrganizationID, _ people: [PersonID], history: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> [PersonID: [Sync]] {
        guard !people.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = \(organization.rawValue) AND s.person_id = ANY(\(people.map(\.rawValue))::uuid[])
            ORDER BY s.person_id, c.created_at, s.id
            """, logger: logger)
        var syncs = try await Self.decode(rows)
        if history {
            let events = try await self.history(organization, syncs.map(\.id), on: db, logger: logger)
            for index in syncs.indices { syncs[index].history = events[syncs[index].id] ?? [] }
        }
        return Dictionary(grouping: syncs, by: \.personID)
    }

    public func history(_ organization: OrganizationID, _ syncs: [SyncID], on db: PostgresConnection, logger: Logger) async throws -> [SyncID: [SyncEvent]] {
        guard !syncs.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            SELECT sync_id, from_status, to_status, cause, message, actor_kind, actor_id, next_retry_at, fix_action, created_at
            FROM sync_events WHERE org_id = \(organization.rawValue) AND sync_id = ANY(\(syncs.map(\.rawValue))::uuid[])
            ORDER BY sync_id, id
            """, logger: logger)
        var result: [SyncID: [SyncEvent]] = [:]
        typealias Row = (UUID, String?, String, String?, String, String, String?, Date?, String?, Date)
        for try await r in rows.decode(Row.self) {
            result[SyncID(r.0), default: []].append(SyncEvent(
                fromStatus: r.1.flatMap(SyncStatus.init(rawValue:)), toStatus: SyncStatus(rawValue: r.2) ?? .failed, cause: r.3,
                message: r.4, actorKind: r.5, actorID: r.6, nextRetryAt: r.7, fixAction: r.8, createdAt: r.9))
        }
        return result
    }

    /// Why a person was or was not given a sync by ``create(_:people:connection:platform:actor:on:logger:)``.
    public enum Verdict: String, Sendable, CaseIterable {
        case created
        case exists
        case noPrimary = "no_primary"
        case secondaryIsPrimary = "secondary_is_primary"
        case unknownPerson = "unknown_person"
    }

    /// Creates pending syncs of `people` onto `connection`, one statement for any number of people.
    /// Each person gets a verdict: created, or why not. The mode is the one the person's accounts
    /// imply now; the worker decides again when it runs.
    public func create(
        _ organization: OrganizationID, people: [PersonID], connection: ConnectionID, platform: Platform, actor: AuditActor,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [(person: PersonID, verdict: Verdict, sync: SyncID?)] {
        let org = organization.rawValue
        let requested = SyncOutcome.requested()
        let rows = try await db.query(
            """
            WITH wanted AS (
                SELECT DISTINCT unnest(\(people.map(\.rawValue))::uuid[]) AS person_id
            ), candidates AS (
                SELECT w.person_id, p.id AS found, p.primary_connection_id, pc.platform AS primary_platform, s.id AS existing,
                       EXISTS (SELECT 1 FROM platform_accounts a
                               WHERE a.org_id = \(org) AND a.person_id = w.person_id AND a.connection_id = \(connection.rawValue)
                                 AND a.active) AS has_account
                FROM wanted w
                LEFT JOIN people p ON p.org_id = \(org) AND p.id = w.person_id
                LEFT JOIN platform_connections pc ON pc.org_id = \(org) AND pc.id = p.primary_connection_id
                LEFT JOIN syncs s ON s.org_id = \(org) AND s.person_id = w.person_id AND s.connection_id = \(connection.rawValue)
            ), judged AS (
                SELECT *, CASE
                    WHEN found IS NULL THEN 'unknown_person'
                    WHEN existing IS NOT NULL THEN 'exists'
                    WHEN primary_connection_id IS NULL THEN 'no_primary'
                    WHEN primary_platform = \(platform.rawValue) THEN 'secondary_is_primary'
                    ELSE 'created' END AS verdict, gen_random_uuid() AS new_id
                FROM candidates
            ), created AS (
                INSERT INTO syncs (org_id, id, person_id, connection_id, mode, status, cause, message, created_by)
                SELECT \(org), new_id, person_id, \(connection.rawValue), CASE WHEN has_account THEN 'link' ELSE 'virtual' END,
                       'pending', \(requested.cause), \(requested.message), \(actor.label)
                FROM judged WHERE verdict = 'created'
                RETURNING id
            ), events AS (
                INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind, actor_id)
                SELECT \(org), id, NULL, 'pending', \(requested.cause), \(requested.message), \(Self.actorKind(actor)), \(actor.id)
                FROM created
            )
            SELECT person_id, verdict, CASE WHEN verdict = 'created' THEN new_id ELSE existing END FROM judged
            """, logger: logger)
        var result: [(PersonID, Verdict, SyncID?)] = []
        for try await (person, verdict, sync) in rows.decode((UUID, String, UUID?).self) {
            result.append((PersonID(person), Verdict(rawValue: verdict) ?? .unknownPerson, sync.map(SyncID.init)))
        }
        return result
    }

    /// What a status change also writes, besides the status itself.
    public struct Changes: Sendable {
        public var mode: SyncMode?
        public var linkedAccount: AccountID?
        public var virtualIdentity: String?
        public var virtualKind: VirtualKind?
        /// New sealed user tokens; `clearTokens` forgets the stored ones.
        public var tokens: SealedTokens?
        public var clearTokens = false
        public var consented = false

        public init(
            mode: SyncMode? = nil, linkedAccount: AccountID? = nil, virtualIdentity: String? = nil, virtualKind: VirtualKind? = nil,
            tokens: SealedTokens? = nil, clearTokens: Bool = false, consented: Bool = false
        ) {
            self.mode = mode
            self.linkedAccount = linkedAccount
            self.virtualIdentity = virtualIdentity
            self.virtualKind = virtualKind
            self.tokens = tokens
            self.clearTokens = clearTokens
            self.consented = consented
        }
    }

    public struct SealedTokens: Sendable {
        public var keyID: String
        public var combined: Data
        public var expiresAt: Date?

        public init(keyID: String, combined: Data, expiresAt: Date?) {
            self.keyID = keyID
            self.combined = combined
            self.expiresAt = expiresAt
        }
    }

    /// Moves a sync to `outcome` and appends the change to its history (even when only the cause
    /// or message changed: the history says why a person is where they are).
    @discardableResult
    public func record(
        _ organization: OrganizationID, _ id: SyncID, outcome: SyncOutcome, actor: AuditActor, changes: Changes = .init(),
        on db: PostgresConnection, logger: Logger
    ) async throws -> Sync {
        let org = organization.rawValue
        let rows = try await db.query(
            """
            WITH before AS (
                SELECT status FROM syncs WHERE org_id = \(org) AND id = \(id.rawValue) FOR UPDATE
            ), updated AS (
                UPDATE syncs s SET status = \(outcome.status.rawValue), cause = \(outcome.cause), message = \(outcome.message),
                    next_retry_at = \(outcome.nextRetryAt), fix_action = \(outcome.fixAction),
                    mode = coalesce(\(changes.mode?.rawValue), s.mode),
                    linked_account_id = coalesce(\(changes.linkedAccount?.rawValue), s.linked_account_id),
                    virtual_identity = coalesce(\(changes.virtualIdentity), s.virtual_identity),
                    virtual_kind = coalesce(\(changes.virtualKind?.rawValue), s.virtual_kind),
                    user_tokens = CASE WHEN \(changes.clearTokens) THEN NULL ELSE coalesce(\(changes.tokens?.combined), s.user_tokens) END,
                    user_tokens_key_id = CASE WHEN \(changes.clearTokens) THEN NULL ELSE coalesce(\(changes.tokens?.keyID), s.user_tokens_key_id) END,
                    user_token_expires_at = CASE WHEN \(changes.clearTokens) THEN NULL
                                                 WHEN \(changes.tokens != nil) THEN \(changes.tokens?.expiresAt)
                                                 ELSE s.user_token_expires_at END,
                    consented_at = CASE WHEN \(changes.consented) THEN now() ELSE s.consented_at END
                FROM before
                WHERE s.org_id = \(org) AND s.id = \(id.rawValue)
                RETURNING before.status AS from_status
            )
            INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind, actor_id, next_retry_at, fix_action)
            SELECT \(org), \(id.rawValue), from_status, \(outcome.status.rawValue), \(outcome.cause), \(outcome.message),
                   \(Self.actorKind(actor)), \(actor.id), \(outcome.nextRetryAt), \(outcome.fixAction)
            FROM updated
            RETURNING id
            """, logger: logger)
        guard try await rows.collect().count == 1 else { throw DomainError.notFound(resource: "sync") }
        return try await get(organization, id, on: db, logger: logger)
    }

    /// The sealed user tokens of a sync, if any.
    public func tokens(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws -> SealedTokens? {
        let rows = try await db.query(
            """
            SELECT user_tokens_key_id, user_tokens, user_token_expires_at FROM syncs
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND user_tokens IS NOT NULL
            """, logger: logger)
        for try await (keyID, combined, expires) in rows.decode((String, Data, Date?).self) {
            return SealedTokens(keyID: keyID, combined: combined, expiresAt: expires)
        }
        return nil
    }

    /// Replaces refreshed tokens without a status change (nothing the admin needs to see).
    public func replaceTokens(
        _ organization: OrganizationID, _ id: SyncID, _ tokens: SealedTokens, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE syncs SET user_tokens = \(tokens.combined), user_tokens_key_id = \(tokens.keyID),
                user_token_expires_at = \(tokens.expiresAt), user_tokens_checked_at = now()
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            """, logger: logger)
    }

    public func markTokensChecked(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "UPDATE syncs SET user_tokens_checked_at = now() WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
    }

    /// Live syncs onto a connection: the ones disconnecting it fails.
    public func ids(
        _ organization: OrganizationID, connection: ConnectionID, excluding status: SyncStatus, on db: PostgresConnection, logger: Logger
    ) async throws -> [SyncID] {
        let rows = try await db.query(
            """
            SELECT id FROM syncs WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
              AND status <> \(status.rawValue)
            """, logger: logger)
        var ids: [SyncID] = []
        for try await id in rows.decode(UUID.self) { ids.append(SyncID(id)) }
        return ids
    }

    /// Failed syncs that only waited for `connection` to work again: failures an admin fixes, on
    /// the sync's own connection or on the connection its person's prompts go through.
    public func waitingForAdmin(
        _ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> [SyncID] {
        let rows = try await db.query(
            """
            SELECT s.id FROM syncs s JOIN people p ON p.org_id = s.org_id AND p.id = s.person_id
            WHERE s.org_id = \(organization.rawValue) AND s.status = 'failed'
              AND s.cause IN ('credentials_rejected', 'permission_missing')
              AND (s.connection_id = \(connection.rawValue) OR p.primary_connection_id = \(connection.rawValue))
            """, logger: logger)
        var ids: [SyncID] = []
        for try await id in rows.decode(UUID.self) { ids.append(SyncID(id)) }
        return ids
    }

    /// Deletes a sync with its history and consent links (a reset). The audit log keeps the fact.
    public func delete(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query("DELETE FROM syncs WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)", logger: logger)
    }

    /// The sync history's actor kinds are those of the audit log, with a key's role as `admin`.
    static func actorKind(_ actor: AuditActor) -> String {
        switch actor {
        case .apiKey: "admin"
        default: actor.kind
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Sync] {
        var result: [Sync] = []
        typealias Row = (
            UUID, UUID, UUID, UUID, String, String?, String, String?, String?, Date?, String?, UUID?, String?, String?, Bool,
            Date?, String, Date, Date
        )
        for try await r in rows.decode(Row.self) {
            result.append(Sync(
                id: SyncID(r.0), organizationID: OrganizationID(r.1), personID: PersonID(r.2), connectionID: ConnectionID(r.3),
                platform: Platform(rawValue: r.4) ?? .slack, mode: r.5.flatMap(SyncMode.init(rawValue:)),
                status: SyncStatus(rawValue: r.6) ?? .failed, cause: r.7, message: r.8, nextRetryAt: r.9, fixAction: r.10,
                linkedAccountID: r.11.map(AccountID.init), virtualIdentity: r.12, virtualKind: r.13.flatMap(VirtualKind.init(rawValue:)),
                hasUserTokens: r.14, userTokenExpiresAt: r.15, createdBy: r.16, createdAt: r.17, updatedAt: r.18))
        }
        return result
    }
}
