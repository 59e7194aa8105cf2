import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// The Postgres job table as a queue. Enqueueing runs on the caller's connection, inside the
/// caller's transaction, so a job exists exactly when the write that caused it was committed.
/// Everything else runs in the queue's own scope (see ``Database/withQueueScope(logger:isolation:_:)``).
public struct JobQueue: Sendable {
    /// The channel idle workers listen on. sql/0038's `usersync_relay_receive` inserts a
    /// delivery job and notifies this channel itself (an event's one round trip): a change to
    /// the channel's name, or to the columns `enqueue` writes into `jobs`, changes that function
    /// too.
    public static let channel = "usersync_jobs"

    public let database: Database

    public init(database: Database) { self.database = database }

    // MARK: Enqueue (caller's transaction)

    /// Enqueues one job; returns its id, or nil when a queued or running job with the same
    /// dedupe key already exists for the organization.
    @discardableResult
    public static func enqueue(
        _ job: NewJob, organization: OrganizationID, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64? {
        try await enqueue([job], organization: organization, on: connection, logger: logger).first ?? nil
    }

    /// Enqueues many jobs in one statement (a fan-out of 10,000 is one round trip), then wakes
    /// idle workers with one notification for the whole transaction. Returns each job's id in
    /// order, nil where a dedupe key already had a live job.
    public static func enqueue(
        _ jobs: [NewJob], organization: OrganizationID, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Int64?] {
        guard !jobs.isEmpty else { return [] }
        let kinds = jobs.map(\.kind)
        let payloads = jobs.map(\.payload)
        let priorities = jobs.map { Int64($0.priority) }
        let runAts = jobs.map { $0.runAt ?? .distantPast }
        let maxAttempts = jobs.map { Int64($0.maxAttempts) }
        let keys = jobs.map { $0.dedupeKey ?? "" }
        let ordinals = (0..<jobs.count).map(Int64.init)
        let rows = try await connection.execute(
            EnqueueStatement(
                organization: organization.rawValue, ordinals: ordinals, kinds: kinds, payloads: payloads, priorities: priorities, runAts: runAts,
                maxAttempts: maxAttempts, keys: keys), logger: logger)
        var keyless: [Int64] = []
        var keyed: [String: Int64] = [:]
        for try await (id, key) in rows.decode((Int64?, String?).self) {
            guard let id, let key else { continue }  // the row that only carries the notification
            if key.isEmpty { keyless.append(id) } else { keyed[key] = id }
        }
        // Identity values follow the insertion order, which follows the input order.
        var next = keyless.makeIterator()
        return jobs.map { job in
            guard let key = job.dedupeKey, !key.isEmpty else { return next.next() }
            return keyed.removeValue(forKey: key)  // a key repeated in the input runs once
        }
    }

    /// Every relayed event and every fan-out enqueues (`$1` the organization, then one array per
    /// column), and wakes idle workers in the same round trip: the notification is the outer side
    /// of the last join, so it is sent once however many jobs (none) were inserted. Identical
    /// notifications in one transaction are delivered once, at commit.
    struct EnqueueStatement: HotStatement {
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::bigint[], $8::text[])
                    AS t(ordinal, kind, payload, priority, run_at, max_attempts, dedupe_key)
            ), inserted AS (
                INSERT INTO jobs (org_id, kind, payload, priority, run_at, max_attempts, dedupe_key)
                SELECT $1::uuid, kind, payload::jsonb, priority::smallint, greatest(run_at, now()), max_attempts::integer, nullif(dedupe_key, '')
                FROM input ORDER BY ordinal
                ON CONFLICT (org_id, dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
                RETURNING id, coalesce(dedupe_key, '') AS dedupe_key
            )
            SELECT i.id, i.dedupe_key FROM (\(NotifyStatement.sql)) AS notified LEFT JOIN inserted i ON true ORDER BY i.id
            """
        let organization: UUID
        let ordinals: [Int64]
        let kinds: [String]
        let payloads: [String]
        let priorities: [Int64]
        let runAts: [Date]
        let maxAttempts: [Int64]
        let keys: [String]

        func makeBindings() -> PostgresBindings {
            bindings(organization, ordinals, kinds, payloads, priorities, runAts, maxAttempts, keys)
        }
    }

    struct NotifyStatement: HotStatement {
        static let sql = "SELECT pg_notify('\(JobQueue.channel)', '')"

        func makeBindings() -> PostgresBindings { PostgresBindings() }
    }
}
