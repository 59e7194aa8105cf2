import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension SyncRepository {
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
        let rows = try await db.query(
            Self.recordQuery(organization, changes, actor: actor, claimedBy: job, orUnclaimed: orUnclaimed), logger: logger)
        var recorded: [Recorded] = []
        for try await (id, from, person, connection) in rows.decode((UUID, String?, UUID, UUID).self) {
            recorded.append(
                Recorded(
                    sync: SyncID(id), from: from.flatMap(SyncStatus.init(rawValue:)), person: PersonID(person), connection: ConnectionID(connection)))
        }
        return recorded
    }

    /// ``record(_:_:actor:claimedBy:orUnclaimed:on:logger:)``'s statement.
    static func recordQuery(
        _ organization: OrganizationID, _ changes: [StatusChange], actor: AuditActor, claimedBy job: Int64?, orUnclaimed: Bool
    ) -> PostgresQuery {
        let org = organization.rawValue
        let input = JSONRecordset.encode(changes.map(ChangeRow.init))
        return """
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(\(input)::jsonb) AS t(
                    id uuid, status text, cause text, message text, next_retry_at timestamptz, fix_action text, mode text,
                    linked_account_id uuid, virtual_identity text, virtual_kind text, tokens text, tokens_key_id text,
                    tokens_expire_at timestamptz, clear_tokens boolean, consented boolean, refund_attempt boolean)
            ), before AS (
                -- Each sync by its key, locked in the order of their ids (as the key's index gives
                -- them). A join let the planner, estimating the job's syncs at a row, read every
                -- sync of the table (bench-sync: 3-12 ms a batch of 100), and the update hash the
                -- organization's every sync.
                SELECT s.id, s.status FROM (SELECT id FROM input ORDER BY id) i CROSS JOIN LATERAL (
                    SELECT s.id, s.status FROM syncs s
                    WHERE s.org_id = \(org) AND s.id = i.id
                      AND (\(job)::bigint IS NULL OR s.worked_by = \(job)
                           OR (\(orUnclaimed) AND (s.worked_by IS NULL OR s.worked_until < now())))
                    FOR UPDATE
                ) s
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
                -- The locked syncs by their key, not every sync of the organization hashed.
                WHERE s.org_id = \(org) AND s.id = ANY (ARRAY(SELECT id FROM before)) AND s.id = i.id
                RETURNING s.id, b.status AS from_status, s.person_id, s.connection_id, i.status, i.cause, i.message,
                          i.next_retry_at, i.fix_action
            ), events AS (
                INSERT INTO sync_events (org_id, sync_id, from_status, to_status, cause, message, actor_kind, actor_id, next_retry_at, fix_action)
                SELECT \(org), id, from_status, status, cause, message, \(Self.actorKind(actor)), \(actor.id), next_retry_at, fix_action
                FROM updated
            )
            SELECT id, from_status, person_id, connection_id FROM updated
            """
    }

    /// One status change as the statement reads it.
    private struct ChangeRow: JSONWritable {
        let change: StatusChange

        init(_ change: StatusChange) { self.change = change }

        func write(to json: inout JSONWriter) {
            let outcome = change.outcome, changes = change.changes
            json.object {
                $0.member("id", change.sync.rawValue)
                $0.member("status", outcome.status.rawValue)
                $0.member("cause", outcome.cause.rawValue)
                $0.member("message", outcome.message)
                $0.member("next_retry_at", outcome.nextRetryAt, milliseconds: true)
                $0.member("fix_action", outcome.fixAction)
                $0.member("mode", changes.mode?.rawValue)
                $0.member("linked_account_id", changes.linkedAccount?.rawValue)
                $0.member("virtual_identity", changes.virtualIdentity)
                $0.member("virtual_kind", changes.virtualKind?.rawValue)
                $0.member("tokens", changes.tokens?.combined.base64EncodedString())
                $0.member("tokens_key_id", changes.tokens?.keyID)
                $0.member("tokens_expire_at", changes.tokens?.expiresAt, milliseconds: true)
                $0.member("clear_tokens", changes.clearTokens)
                $0.member("consented", changes.consented)
                $0.member("refund_attempt", changes.refundAttempt)
            }
        }
    }
}
