import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncWorker

struct Empty: Decodable, Sendable {}

struct Bench: Sendable {
    let db: TestDatabase
    let settings: WorkerSettings
    /// The `usersync` binary (f) runs as `usersync work`.
    let binary: String
    let processConcurrency: Int
    let processLanes: Int
    let logger: Logger
    var queue: JobQueue { JobQueue(database: db.service) }

    func organization() async throws -> OrganizationID {
        let id = OrganizationID.random()
        let slug = "bench-\(id.description.prefix(8))"
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(id.rawValue), \(slug), \(slug))")
        return id
    }

    func enqueue(_ count: Int, kind: String = "noop", payload: String = "{}", for org: OrganizationID) async throws {
        var left = count
        while left > 0 {
            let chunk = min(left, 10_000)
            _ = try await db.service.withTenant(org, logger: logger) { connection in
                try await JobQueue.enqueue(
                    Array(repeating: NewJob(kind: kind, payload: payload), count: chunk), organization: org, on: connection, logger: logger)
            }
            left -= chunk
        }
    }

    func unfinished() async throws -> Bool {
        try await db.service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('queued', 'running'))", logger: logger)
            var exists = false
            for try await value in rows.decode(Bool.self) { exists = value }
            return exists
        }
    }

    func clear() async throws { try await db.adminQuery("DELETE FROM jobs") }

    func withProcessor<T: Sendable>(
        handlers: JobHandlers = .builtIn, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let processor = JobProcessor(queue: queue, handlers: handlers, settings: settings, workerID: "bench", logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            processor.stop()
            try await group.waitForAll()
            return try result.get()
        }
    }
}
