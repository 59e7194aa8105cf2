import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncWorker

extension TestDatabase {
    /// A new organization, written as the superuser (fixtures only).
    func organization(_ slug: String = "org-\(UUID().uuidString.prefix(8).lowercased())") async throws -> OrganizationID {
        let id = OrganizationID.random()
        try await adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(id.rawValue), \(slug), \(slug))")
        return id
    }

    @discardableResult
    func enqueue(_ jobs: [NewJob], for organization: OrganizationID) async throws -> [Int64?] {
        try await service.withTenant(organization, logger: logger) { connection in
            try await JobQueue.enqueue(jobs, organization: organization, on: connection, logger: logger)
        }
    }

    func job(_ id: Int64) async throws -> JobRecord {
        try await service.withQueueScope(logger: logger) { connection in
            try #require(try await JobQueue.get(id, organization: nil, on: connection, logger: logger))
        }
    }

    /// Jobs of `organization` that started in the open interval (`after`, `before`).
    func started(of organization: OrganizationID, after: Date, before: Date) async throws -> Int {
        try await service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT count(*) FROM jobs WHERE org_id = \(organization.rawValue) AND started_at > \(after) AND started_at < \(before)",
                logger: logger)
            var total = 0
            for try await count in rows.decode(Int64.self) { total = Int(count) }
            return total
        }
    }

    func count(state: JobState) async throws -> Int {
        try await service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query("SELECT count(*) FROM jobs WHERE state = \(state.rawValue)", logger: logger)
            var total = 0
            for try await count in rows.decode(Int64.self) { total = Int(count) }
            return total
        }
    }
}

/// Settings that make the tests quick: fast polling, tiny retry delays (leases as `quickWorkerSettings`).
func quickSettings(concurrency: Int = 8) -> WorkerSettings {
    var settings = quickWorkerSettings(concurrency: concurrency)
    settings.pollInterval = .milliseconds(200)
    return settings
}

/// Runs `count` processors with `handlers` while `body` runs, then stops them gracefully.
func withProcessors<T: Sendable>(
    _ db: TestDatabase, count: Int = 1, handlers: JobHandlers, settings: WorkerSettings = quickSettings(),
    reaper: Bool = false, _ body: @Sendable ([JobProcessor]) async throws -> T
) async throws -> T {
    let queue = JobQueue(database: db.service)
    let processors = (0..<count).map { index in
        JobProcessor(queue: queue, handlers: handlers, settings: settings, workerID: "test-worker-\(index)", logger: db.logger)
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for processor in processors { group.addTask { try await processor.run() } }
        if reaper {
            let reaper = LeaseReaper(queue: queue, handlers: handlers, settings: settings, logger: db.logger)
            group.addTask {
                while !Task.isCancelled {
                    await reaper.reapOnce()
                    try await Task.sleep(for: settings.reaperInterval)
                }
            }
        }
        let result: Result<T, any Error>
        do { result = .success(try await body(processors)) } catch { result = .failure(error) }
        for processor in processors { processor.stop() }
        if reaper { group.cancelAll() }
        while let next = await group.nextResult() {
            if case .failure(let error) = next, !(error is CancellationError) { throw error }
        }
        return try result.get()
    }
}

/// What handlers saw, shared with the test.
final class Recorder: Sendable {
    private let state = Mutex<(runs: [Int64: Int], inFlight: Set<Int64>, overlaps: Int, dead: [DeadJob], times: [Int64: [Date]])>(
        ([:], [], 0, [], [:]))

    func begin(_ id: Int64) {
        state.withLock { state in
            state.runs[id, default: 0] += 1
            state.times[id, default: []].append(Date())
            if !state.inFlight.insert(id).inserted { state.overlaps += 1 }
        }
    }

    func end(_ id: Int64) { state.withLock { _ = $0.inFlight.remove(id) } }
    func died(_ job: DeadJob) { state.withLock { $0.dead.append(job) } }

    var runs: [Int64: Int] { state.withLock { $0.runs } }
    var overlaps: Int { state.withLock { $0.overlaps } }
    var dead: [DeadJob] { state.withLock { $0.dead } }
    func times(_ id: Int64) -> [Date] { state.withLock { $0.times[id] ?? [] } }
}

struct Numbered: Codable, Sendable { var n: Int }
