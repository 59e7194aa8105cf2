import Foundation
import PostgresNIO

extension BenchmarkDeployment {
    /// Polls `condition` until it holds; fails once `deadline` has passed (with what the
    /// database showed then), or at once when a process died.
    public func waitUntil(_ what: String, within deadline: Duration, _ condition: () async throws -> Bool) async throws {
        let started = ContinuousClock.now
        while try await !condition() {
            try checkAlive()
            guard ContinuousClock.now - started < deadline else {
                throw BenchmarkFailure("gave up after \(Int(deadline.seconds)) s waiting until \(what)\n\(await stallReport())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// What the database shows while a wait drags on, to tell a stuck worker from a slow one:
    /// every other session on the benchmark's database (its state, what it waits for, for how
    /// long, its statement) and the jobs not finished.
    public func stallReport() async -> String {
        var lines = ["sessions on the database (pid, application, state, waiting for, transaction age, statement age, statement):"]
        do {
            let sessions = try await db.admin.client.query(
                """
                SELECT pid, application_name, coalesce(state, ''), coalesce(wait_event_type || ':' || wait_event, ''),
                       coalesce(extract(epoch FROM now() - xact_start)::float8, -1), coalesce(extract(epoch FROM now() - query_start)::float8, -1),
                       left(regexp_replace(coalesce(query, ''), '\\s+', ' ', 'g'), 160)
                FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY xact_start NULLS LAST
                """, logger: db.logger)
            for try await (pid, application, state, waiting, transaction, statement, query) in sessions.decode(
                (Int32, String, String, String, Double, Double, String).self)
            {
                lines.append("  \(pid) \(application) \(state) \(waiting) \(Int(transaction)) s \(Int(statement)) s: \(query)")
            }
            lines.append("jobs not finished (kind, state, count, seconds to the earliest lease expiry):")
            let jobs = try await db.admin.client.query(
                """
                SELECT kind, state, count(*), coalesce(extract(epoch FROM min(lease_expires_at) - now())::float8, 0)
                FROM jobs WHERE state IN ('queued', 'running') GROUP BY 1, 2 ORDER BY 1, 2
                """, logger: db.logger)
            for try await (kind, state, count, lease) in jobs.decode((String, String, Int64, Double).self) {
                lines.append("  \(kind) \(state) \(count) \(Int(lease)) s")
            }
        } catch {
            lines.append("  (the database could not be read: \(String(reflecting: error)))")
        }
        return lines.joined(separator: "\n")
    }
}
