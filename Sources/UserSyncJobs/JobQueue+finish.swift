import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

extension JobQueue {
    /// Marks jobs this worker holds as succeeded: one statement, one round trip (sql/0009, sql/0016).
    /// Returns how many it recorded: a job this worker no longer held is not.
    @discardableResult
    public func succeed(_ keys: [JobKey], worker: String, logger: Logger) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        let rows = try await database.client.query(
            "SELECT usersync_succeed_jobs(\(worker), \(keys.map(\.organizationID.rawValue)), \(keys.map(\.id)))",
            logger: logger)
        for try await done in rows.decode(Int32.self) { return Int(done) }
        return 0
    }

    /// Records a failed attempt: back to the queue at `retryAt`, or dead when `retryAt` is nil.
    /// The error is kept either way. Returns false when the worker no longer held the job.
    @discardableResult
    public func fail(_ key: JobKey, worker: String, error: String, retryAt: Date?, logger: Logger) async throws -> Bool {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jobs SET
                    state = CASE WHEN \(retryAt == nil) THEN 'failed' ELSE 'queued' END,
                    run_at = coalesce(\(retryAt), run_at),
                    finished_at = CASE WHEN \(retryAt == nil) THEN now() END,
                    last_error = \(String(error.prefix(4_000))), lease_owner = NULL, lease_expires_at = NULL
                WHERE org_id = \(key.organizationID.rawValue) AND id = \(key.id) AND state = 'running' AND lease_owner = \(worker)
                RETURNING id
                """, logger: logger)
            return try await rows.collect().count == 1
        }
    }

    /// Puts a job back until `until` without spending the attempt its claim took.
    @discardableResult
    public func snooze(_ key: JobKey, worker: String, until: Date, reason: String, logger: Logger) async throws -> Bool {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jobs SET state = 'queued', run_at = \(until), attempts = greatest(attempts - 1, 0),
                       last_error = \(reason), lease_owner = NULL, lease_expires_at = NULL
                WHERE org_id = \(key.organizationID.rawValue) AND id = \(key.id) AND state = 'running' AND lease_owner = \(worker)
                RETURNING id
                """, logger: logger)
            return try await rows.collect().count == 1
        }
    }

    /// Gives jobs back to the queue at once without spending their attempts (graceful shutdown).
    public func release(_ keys: [JobKey], worker: String, logger: Logger) async throws {
        guard !keys.isEmpty else { return }
        try await database.withQueueScope(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), run_at = now(),
                       lease_owner = NULL, lease_expires_at = NULL
                WHERE jobs.org_id = ANY (\(keys.organizations)) AND jobs.id = ANY (\(keys.map(\.id)))
                  AND jobs.state = 'running' AND jobs.lease_owner = \(worker)
                """, logger: logger)
            try await connection.run(NotifyStatement(), logger: logger)
        }
    }

    /// Re-queues running jobs whose lease expired (their worker died); a job that has used its
    /// last attempt is dead instead. Returns the jobs that died, for their owners to be told.
    public func reapExpiredLeases(logger: Logger) async throws -> (requeued: Int, dead: [JobRecord]) {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jobs SET
                    state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
                    last_error = 'the worker running it stopped responding (lease expired)',
                    lease_owner = NULL, lease_expires_at = NULL, run_at = now()
                WHERE (org_id, id) IN (
                    SELECT org_id, id FROM jobs WHERE state = 'running' AND lease_expires_at < now()
                    ORDER BY lease_expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: JobRecord.columns)
                """, logger: logger)
            let records = try await JobRecord.decode(rows)
            if !records.isEmpty { try await connection.run(NotifyStatement(), logger: logger) }
            return (records.filter { $0.state == .queued }.count, records.filter { $0.state == .failed })
        }
    }

    /// Deletes succeeded and cancelled jobs finished before `cutoff`, a bounded chunk at a time.
    /// Dead jobs stay until an operator acts.
    public func deleteFinished(before cutoff: Date, chunk: Int = 5_000, logger: Logger) async throws -> Int {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                DELETE FROM jobs WHERE (org_id, id) IN (
                    SELECT org_id, id FROM jobs
                    WHERE state IN ('succeeded', 'cancelled') AND finished_at < \(cutoff)
                    LIMIT \(chunk))
                RETURNING id
                """, logger: logger)
            return try await rows.collect().count
        }
    }
}
