import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Sync records and their history. Every method runs on a connection scoped to `organization`.
/// Every status change goes through ``record(_:_:actor:on:logger:)``, which writes the new status
/// and its history row together (even when only the cause or message changed: the history says
/// why a person is where they are).
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
        let rows = try await db.execute(ForPeopleStatement(organization: organization.rawValue, ids: people.map(\.rawValue)), logger: logger)
        var syncs = try await Self.decode(rows)
        if history {
            let events = try await self.history(organization, syncs.map(\.id), on: db, logger: logger)
            for index in syncs.indices { syncs[index].history = events[syncs[index].id] ?? [] }
        }
        return Dictionary(grouping: syncs, by: \.personID)
    }

    struct ForPeopleStatement: HotStatement {
        static let sql = """
            SELECT \(SyncRepository.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = $1 AND s.person_id = ANY($2::uuid[])
            ORDER BY s.person_id, c.created_at, s.id
            """
        let organization: UUID
        let ids: [UUID]

        func makeBindings() -> PostgresBindings { bindings(organization, ids) }
    }

    public func history(_ organization: OrganizationID, _ syncs: [SyncID], on db: PostgresConnection, logger: Logger) async throws -> [SyncID:
        [SyncEvent]]
    {
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
            result[SyncID(r.0), default: []].append(
                SyncEvent(
                    fromStatus: r.1.flatMap(SyncStatus.init(rawValue:)), toStatus: SyncStatus(rawValue: r.2) ?? .failed,
                    cause: r.3.flatMap(SyncCause.init(rawValue:)),
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

    /// What the sync rule (``SyncPreview``) needs to know of each of `people` for a sync onto
    /// `connection`: one statement for any number of people. Unknown ids are left out.
    public func facts(
        _ organization: OrganizationID, people: [PersonID], connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> [PersonID: SyncPreview.Facts] {
        let org = organization.rawValue
        let rows = try await db.query(
            """
            SELECT p.id, pc.platform, s.status,
                   (SELECT CASE WHEN bool_or(a.active) THEN 'active' WHEN count(*) > 0 THEN 'deactivated' ELSE 'none' END
                    FROM platform_accounts a
                    WHERE a.org_id = \(org) AND a.person_id = p.id AND a.connection_id = \(connection.rawValue))
            FROM people p
            LEFT JOIN platform_connections pc ON pc.org_id = \(org) AND pc.id = p.primary_connection_id
            LEFT JOIN syncs s ON s.org_id = \(org) AND s.person_id = p.id AND s.connection_id = \(connection.rawValue)
            WHERE p.org_id = \(org) AND p.id = ANY(\(people.map(\.rawValue))::uuid[])
            """, logger: logger)
        var facts: [PersonID: SyncPreview.Facts] = [:]
        for try await (id, primary, status, account) in rows.decode((UUID, String?, String?, String).self) {
            facts[PersonID(id)] = SyncPreview.Facts(
                personExists: true, primary: primary.flatMap(Platform.init(rawValue:)), existing: status.flatMap(SyncStatus.init(rawValue:)),
                account: account == "active" ? .active : account == "deactivated" ? .deactivated : .none)
        }
        return facts
    }

    /// Creates pending syncs of `people` onto `connection`, with their first history rows. Who
    /// gets one is ``SyncPreview``'s rule; each person gets a verdict: created, or why not. The
    /// mode is the one the person's accounts imply now; the worker decides again when it runs.
    /// A sync an Auto Sync policy starts is kept by that policy (``AuditActor/autoSyncPolicy``).
    public func create(
        _ organization: OrganizationID, people: [PersonID], connection: ConnectionID, platform: Platform, actor: AuditActor,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [(person: PersonID, verdict: Verdict, sync: SyncID?)] {
        let org = organization.rawValue
        let requested = SyncOutcome.requested()
        var seen = Set<PersonID>()
        let unique = people.filter { seen.insert($0).inserted }
        let facts = try await facts(organization, people: unique, connection: connection, on: db, logger: logger)
        var verdicts: [PersonID: Verdict] = [:]
        var wanted: [(PersonID, SyncMode)] = []
        for person in unique {
            let known = facts[person] ?? .unknown
            let expectation = SyncPreview.expect(known, secondary: platform)
            switch expectation {
            case .unknownPerson: verdicts[person] = .unknownPerson
            case .exists: verdicts[person] = .exists
            case .noPrimary: verdicts[person] = .noPrimary
            case .secondaryIsPrimary: verdicts[person] = .secondaryIsPrimary
            case .link, .virtual, .impossible: wanted.append((person, known.account == .active ? .link : .virtual))
            }
        }
        var syncIDs: [PersonID: SyncID] = [:]
        if !wanted.isEmpty {
            let rows = try await db.query(
                """
                WITH created AS (
                    INSERT INTO syncs (org_id, id, person_id, connection_id, mode, status, cause, message, created_by, auto_sync_policy_id)
                    SELECT \(org), gen_random_uuid(), w.person_id, \(connection.rawValue), w.mode, 'pending',
                           \(requested.cause.rawValue), \(requested.message), \(actor.label), \(actor.autoSyncPolicy?.rawValue)
                    FROM unnest(\(wanted.map(\.0.rawValue))::uuid[], \(wanted.map(\.1.rawValue))::text[]) AS w(person_id, mode)
                    ON CONFLICT (org_id, person_id, connection_id) DO NOTHING
                    RETURNING id, person_id
                ), events AS (
                    INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind, actor_id)
                    SELECT \(org), id, NULL, 'pending', \(requested.cause.rawValue), \(requested.message), \(Self.actorKind(actor)), \(actor.id)
                    FROM created
                )
                SELECT person_id, id FROM created
                """, logger: logger)
            for try await (person, sync) in rows.decode((UUID, UUID).self) {
                syncIDs[PersonID(person)] = SyncID(sync)
                verdicts[PersonID(person)] = .created
            }
        }
        // A sync made meanwhile by someone else exists, as do the ones the facts found.
        let existing = unique.filter { verdicts[$0] == nil || verdicts[$0] == .exists }
        if !existing.isEmpty {
            let rows = try await db.query(
                """
                SELECT person_id, id FROM syncs
                WHERE org_id = \(org) AND connection_id = \(connection.rawValue) AND person_id = ANY(\(existing.map(\.rawValue))::uuid[])
                """, logger: logger)
            for try await (person, sync) in rows.decode((UUID, UUID).self) {
                syncIDs[PersonID(person)] = SyncID(sync)
                verdicts[PersonID(person)] = .exists
            }
        }
        return unique.map { ($0, verdicts[$0] ?? .unknownPerson, syncIDs[$0]) }
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
        /// This try does not count towards giving up (a platform's rate limit: time alone fixes it).
        public var refundAttempt = false

        public init(
            mode: SyncMode? = nil, linkedAccount: AccountID? = nil, virtualIdentity: String? = nil, virtualKind: VirtualKind? = nil,
            tokens: SealedTokens? = nil, clearTokens: Bool = false, consented: Bool = false, refundAttempt: Bool = false
        ) {
            self.refundAttempt = refundAttempt
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

    /// A status change of one sync, for ``record(_:_:actor:on:logger:)``.
    public struct StatusChange: Sendable {
        public var sync: SyncID
        public var outcome: SyncOutcome
        public var changes: Changes

        public init(sync: SyncID, outcome: SyncOutcome, changes: Changes = .init()) {
            self.sync = sync
            self.outcome = outcome
            self.changes = changes
        }
    }

    /// A change as written: the status it left, and whose sync it was (for the audit log).
    public struct Recorded: Sendable, Equatable {
        public var sync: SyncID
        public var from: SyncStatus?
        public var person: PersonID
        public var connection: ConnectionID
    }

    /// Writes many status changes and their history rows in one statement, and lets go of any
    /// claim on the syncs (see ``release(_:_:job:on:logger:)``). With `claimedBy`, only syncs that
    /// job still holds are written: a change made meanwhile by someone else (the person consented,
    /// an admin reset them) stands; with `orUnclaimed` too, also syncs no live job holds. Returns
    /// the changes written.
    public func record(
        _ organization: OrganizationID, _ changes: [StatusChange], actor: AuditActor, claimedBy job: Int64? = nil,
        orUnclaimed: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> [Recorded] {
        guard !changes.isEmpty else { return [] }
        let org = organization.rawValue
        let input = try JSONRecordset.encode(changes.map(ChangeRow.init))
        let rows = try await db.query(
            """
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(\(input)::jsonb) AS t(
                    id uuid, status text, cause text, message text, next_retry_at timestamptz, fix_action text, mode text,
                    linked_account_id uuid, virtual_identity text, virtual_kind text, tokens text, tokens_key_id text,
                    tokens_expire_at timestamptz, clear_tokens boolean, consented boolean, refund_attempt boolean)
            ), before AS (
                SELECT s.id, s.status FROM syncs s JOIN input i ON i.id = s.id
                WHERE s.org_id = \(org) AND (\(job)::bigint IS NULL OR s.worked_by = \(job)
                                               OR (\(orUnclaimed) AND (s.worked_by IS NULL OR s.worked_until < now())))
                FOR UPDATE OF s
            ), updated AS (
                UPDATE syncs s SET status = i.status, cause = i.cause, message = i.message, next_retry_at = i.next_retry_at,
                    fix_action = i.fix_action,
                    mode = coalesce(i.mode, s.mode),
                    linked_account_id = coalesce(i.linked_account_id, s.linked_account_id),
                    virtual_identity = coalesce(i.virtual_identity, s.virtual_identity),
                    virtual_kind = coalesce(i.virtual_kind, s.virtual_kind),
                    user_tokens = CASE WHEN i.clear_tokens THEN NULL ELSE coalesce(decode(i.tokens, 'base64'), s.user_tokens) END,
                    user_tokens_key_id = CASE WHEN i.clear_tokens THEN NULL ELSE coalesce(i.tokens_key_id, s.user_tokens_key_id) END,
                    user_token_expires_at = CASE WHEN i.clear_tokens THEN NULL
                                                 WHEN i.tokens IS NOT NULL THEN i.tokens_expire_at
                                                 ELSE s.user_token_expires_at END,
                    consented_at = CASE WHEN i.consented THEN now() ELSE s.consented_at END,
                    worked_by = NULL, worked_until = NULL,
                    attempts = CASE WHEN i.status = 'pending' AND i.next_retry_at IS NOT NULL
                                    THEN greatest(s.attempts - CASE WHEN i.refund_attempt THEN 1 ELSE 0 END, 0) ELSE 0 END
                FROM input i JOIN before b ON b.id = i.id
                WHERE s.org_id = \(org) AND s.id = i.id
                RETURNING s.id, b.status AS from_status, s.person_id, s.connection_id, i.status, i.cause, i.message,
                          i.next_retry_at, i.fix_action
            ), events AS (
                INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind, actor_id, next_retry_at, fix_action)
                SELECT \(org), id, from_status, status, cause, message, \(Self.actorKind(actor)), \(actor.id), next_retry_at, fix_action
                FROM updated
            )
            SELECT id, from_status, person_id, connection_id FROM updated
            """, logger: logger)
        var recorded: [Recorded] = []
        for try await (id, from, person, connection) in rows.decode((UUID, String?, UUID, UUID).self) {
            recorded.append(
                Recorded(
                    sync: SyncID(id), from: from.flatMap(SyncStatus.init(rawValue:)), person: PersonID(person), connection: ConnectionID(connection)))
        }
        return recorded
    }

    /// One status change as the statement reads it.
    private struct ChangeRow: Encodable {
        var id: UUID
        var status: String
        var cause: String
        var message: String
        var next_retry_at: Date?
        var fix_action: String?
        var mode: String?
        var linked_account_id: UUID?
        var virtual_identity: String?
        var virtual_kind: String?
        var tokens: Data?
        var tokens_key_id: String?
        var tokens_expire_at: Date?
        var clear_tokens: Bool
        var consented: Bool
        var refund_attempt: Bool

        init(_ change: StatusChange) {
            let outcome = change.outcome, changes = change.changes
            id = change.sync.rawValue
            status = outcome.status.rawValue
            cause = outcome.cause.rawValue
            message = outcome.message
            next_retry_at = outcome.nextRetryAt
            fix_action = outcome.fixAction
            mode = changes.mode?.rawValue
            linked_account_id = changes.linkedAccount?.rawValue
            virtual_identity = changes.virtualIdentity
            virtual_kind = changes.virtualKind?.rawValue
            tokens = changes.tokens?.combined
            tokens_key_id = changes.tokens?.keyID
            tokens_expire_at = changes.tokens?.expiresAt
            clear_tokens = changes.clearTokens
            consented = changes.consented
            refund_attempt = changes.refundAttempt
        }
    }

    // MARK: Batches in the worker

    /// The syncs with these ids (those that exist); with `keptBy`, only those that Auto Sync
    /// policy keeps.
    public func get(
        _ organization: OrganizationID, _ ids: [SyncID], keptBy policy: AutoSyncPolicyID? = nil, on db: PostgresConnection, logger: Logger
    ) async throws -> [Sync] {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = \(organization.rawValue) AND s.id = ANY(\(ids.map(\.rawValue))::uuid[])
              AND (\(policy?.rawValue)::uuid IS NULL OR s.auto_sync_policy_id = \(policy?.rawValue))
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// Claims the pending syncs among `ids` for `job` until `until`, counting an attempt on each.
    /// A sync claimed by another job that has not run out is left to it; the same job (run again
    /// after its worker died) claims its own syncs again. Returns each claimed sync's attempts.
    public func claim(
        _ organization: OrganizationID, _ ids: [SyncID], job: Int64, until: Date, on db: PostgresConnection, logger: Logger
    ) async throws -> [SyncID: Int] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            UPDATE syncs SET attempts = attempts + 1, worked_by = \(job), worked_until = \(until)
            WHERE org_id = \(organization.rawValue) AND id = ANY(\(ids.map(\.rawValue))::uuid[]) AND status = 'pending'
              AND (worked_until IS NULL OR worked_until < now() OR worked_by = \(job))
            RETURNING id, attempts
            """, logger: logger)
        var claimed: [SyncID: Int] = [:]
        for try await (id, attempts) in rows.decode((UUID, Int).self) { claimed[SyncID(id)] = attempts }
        return claimed
    }

    /// Lets go of what `job` claimed. A sync that settled (anything but one waiting for a retry)
    /// counts its attempts afresh.
    public func release(_ organization: OrganizationID, _ ids: [SyncID], job: Int64, on db: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await db.query(
            """
            UPDATE syncs SET worked_by = NULL, worked_until = NULL,
                attempts = CASE WHEN status = 'pending' AND next_retry_at IS NOT NULL THEN attempts ELSE 0 END
            WHERE org_id = \(organization.rawValue) AND id = ANY(\(ids.map(\.rawValue))::uuid[]) AND worked_by = \(job)
            """, logger: logger)
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
              AND s.cause = ANY(\(SyncCause.fixedWithTheConnection.map(\.rawValue))::text[])
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

    static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Sync] where Rows.Element == PostgresRow {
        var result: [Sync] = []
        // Cell by cell (see `PeopleRepository.accounts`).
        for try await row in rows {
            let r = row.makeRandomAccess()
            result.append(
                Sync(
                    id: SyncID(try r[0].decode(UUID.self)), organizationID: OrganizationID(try r[1].decode(UUID.self)),
                    personID: PersonID(try r[2].decode(UUID.self)), connectionID: ConnectionID(try r[3].decode(UUID.self)),
                    platform: Platform(rawValue: try r[4].decode(String.self)) ?? .slack,
                    mode: try r[5].decode(String?.self).flatMap(SyncMode.init(rawValue:)),
                    status: SyncStatus(rawValue: try r[6].decode(String.self)) ?? .failed,
                    cause: try r[7].decode(String?.self).flatMap(SyncCause.init(rawValue:)),
                    message: try r[8].decode(String?.self), nextRetryAt: try r[9].decode(Date?.self), fixAction: try r[10].decode(String?.self),
                    linkedAccountID: try r[11].decode(UUID?.self).map(AccountID.init), virtualIdentity: try r[12].decode(String?.self),
                    virtualKind: try r[13].decode(String?.self).flatMap(VirtualKind.init(rawValue:)), hasUserTokens: try r[14].decode(Bool.self),
                    userTokenExpiresAt: try r[15].decode(Date?.self), createdBy: try r[16].decode(String.self),
                    createdAt: try r[17].decode(Date.self), updatedAt: try r[18].decode(Date.self)))
        }
        return result
    }
}
