import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting

@testable import UserSyncWorker

/// Leases: a dead worker's job runs again, a live one's lease is extended, a lost lease cancels its
/// handler, and a finished job keeps its slot until its outcome is written.
extension ProcessorTests {
    @Test("a job whose worker died runs again on another worker once the lease expires")
    func expiredLeaseIsReaped() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            let id = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: 1))], for: org)[0]!
            // A worker claims it and vanishes.
            let ghost = try await JobQueue(database: db.service).claim(
                worker: "ghost", limit: 1, perOrganization: 1, lease: .seconds(1), logger: db.logger)
            #expect(ghost.jobs.map(\.id) == [id])
            _ = try await withProcessors(db, handlers: Self.counting(recorder), reaper: true) { _ in
                try await eventually { try await db.job(id).state == .succeeded }
            }
            let job = try await db.job(id)
            #expect(job.attempts == 2)
            #expect(recorder.runs[id] == 1)
        }
    }

    @Test("a running job's lease is extended while its handler runs")
    func leaseExtension() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            let id = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: 1))], for: org)[0]!
            var settings = quickSettings()
            settings.lease = .seconds(3)
            // The handler takes three lease lengths; the reaper runs all along and must not take the job.
            _ = try await withProcessors(db, handlers: Self.counting(recorder, work: .seconds(5)), settings: settings, reaper: true) { _ in
                try await eventually(.seconds(20)) { try await db.job(id).state == .succeeded }
            }
            #expect(recorder.runs[id] == 1)
            #expect(try await db.job(id).attempts == 1)
        }
    }

    @Test("a handler whose lease was taken away (the job re-queued elsewhere) is cancelled and its outcome not recorded")
    func lostLeaseCancelsTheHandler() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let cancelled = Recorder()
            var handlers = JobHandlers()
            handlers.register("long", payload: Numbered.self) { _, context in
                do { try await Task.sleep(for: .seconds(30)) } catch {
                    cancelled.begin(context.jobID)
                    throw error
                }
                return .succeeded
            }
            let id = try await db.enqueue([try NewJob(kind: "long", payload: Numbered(n: 1))], for: org)[0]!
            var settings = quickSettings()
            settings.lease = .milliseconds(600)
            _ = try await withProcessors(db, handlers: handlers, settings: settings) { processors in
                try await eventually { processors[0].runningCount == 1 }
                // Another worker took the job over (as after the reaper re-queued it).
                _ = try await db.service.withQueueScope(logger: db.logger) { connection in
                    try await connection.query("UPDATE jobs SET lease_owner = 'another-worker' WHERE id = \(id)", logger: db.logger)
                }
                try await eventually(.seconds(5)) { cancelled.runs[id] == 1 && processors[0].runningCount == 0 }
            }
            let job = try await db.job(id)
            #expect(job.state == .running && job.leaseOwner == "another-worker", "the other worker's claim stands")
            #expect(job.lastError == nil)
        }
    }

    @Test("a finished job keeps its slot until its success is written: claiming waits for the write, not the handler")
    func unrecordedSuccessHoldsItsSlot() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let gate = Mutex(false)
            var handlers = JobHandlers()
            handlers.register("gated", payload: Numbered.self) { _, _ in
                while !gate.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                return .succeeded
            }
            let ids = try await db.enqueue(
                [try NewJob(kind: "gated", payload: Numbered(n: 1)), try NewJob(kind: "gated", payload: Numbered(n: 2))], for: org)
            let (first, second) = (ids[0]!, ids[1]!)
            _ = try await withProcessors(db, handlers: handlers, settings: quickSettings(concurrency: 1)) { processors in
                try await eventually { processors[0].runningCount == 1 }
                #expect(try await db.job(first).state == .running)
                // The first job's row is locked, so writing its success waits; its handler is done.
                try await db.admin.withTransaction(logger: db.logger) { connection in
                    try await connection.query("SELECT 1 FROM jobs WHERE id = \(first) FOR UPDATE", logger: db.logger)
                    gate.withLock { $0 = true }
                    try await eventually {
                        try await db.statementsWaitingOnALock(containing: "usersync_succeed_jobs") > 0 && processors[0].runningCount == 0
                    }
                    let claims = processors[0].claimCount
                    try await Task.sleep(for: .seconds(1))  // five poll intervals in which a claim would go out
                    #expect(processors[0].claimCount == claims, "claimed while the only slot's success was unwritten")
                    #expect(try await db.job(second).state == .queued)
                }
                try await eventually { try await db.job(second).state == .succeeded }
            }
            #expect(try await db.job(first).state == .succeeded)
            #expect(try await db.job(first).attempts == 1)
        }
    }
}
