import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting
import UserSyncWorker

@Suite("Worker lanes")
struct WorkerLaneTests {
    @Test("lanes share the jobs and the database concurrency, adding up to the whole, at least one each")
    func shares() {
        var settings = WorkerSettings()
        settings.concurrency = 17
        settings.databaseConcurrency = 8
        settings.lanes = 3
        let lanes = (0..<3).map(settings.lane)
        #expect(lanes.map(\.concurrency) == [6, 6, 5])
        #expect(lanes.map(\.databaseConcurrency) == [3, 3, 2])
        #expect(lanes.allSatisfy { $0.lanes == 1 && $0.batchSize == settings.batchSize && $0.lease == settings.lease })
        settings.databaseConcurrency = 1
        #expect((0..<3).map { settings.lane($0).databaseConcurrency } == [1, 1, 1], "a lane runs at least one job with a connection")
    }

    @Test(
        "two lanes, each on its own event loop and pool, run their jobs at once (a full claim brings the other lane in), and stop together on a graceful shutdown"
    )
    func lanesRunTogether() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let gate = Gate()
            var handlers = JobHandlers()
            handlers.register("hold", payload: Numbered.self) { _, _ in
                gate.enter()
                try await eventually(.seconds(60)) { gate.isOpen }
                return .succeeded
            }
            var settings = quickSettings(concurrency: 8)
            settings.lanes = 2
            settings.pollInterval = .seconds(120)  // longer than the test: no lane claims on a poll
            let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
            let lanes = JobProcessorGroup()
            let members = (0..<2).map { index in
                let database = Database(url: db.serviceURL, poolSize: 8, eventLoopGroup: loops[index % loops.count], logger: db.logger)
                let processor = JobProcessor(
                    queue: JobQueue(database: database), handlers: handlers, settings: settings.lane(index), workerID: "lane-\(index)",
                    eventLoop: loops[index % loops.count], group: lanes, logger: db.logger)
                return (database, processor)
            }
            let services: [any Service] = members.map(\.0) + [lanes]
            let group = ServiceGroup(services: services, logger: db.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Each lane's first claim finds nothing; the one transaction's notification then
                // reaches one lane, whose full claim wakes the other.
                try await eventually { members.allSatisfy { $0.1.claimCount >= 1 } }
                let ids = try await db.enqueue(try (0..<20).map { try NewJob(kind: "hold", payload: Numbered(n: $0)) }, for: org)
                // Four jobs a lane: eight at once only when both lanes run theirs.
                try await eventually { gate.entered == 8 }
                #expect(members.map { $0.1.runningCount } == [4, 4])
                gate.open()
                try await eventually { try await db.count(state: .succeeded) == ids.count }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(members.allSatisfy { $0.1.runningCount == 0 })
            #expect(gate.entered == 20, "every job ran once")
        }
    }

    @Test("a notification wakes one lane, not all: one claim per enqueuing transaction")
    func oneClaimPerNotification() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var settings = quickSettings(concurrency: 8)
            settings.lanes = 2
            settings.pollInterval = .seconds(120)  // longer than the test: only notifications wake the lanes
            let lanes = JobProcessorGroup()
            let database = Database(url: db.serviceURL, poolSize: 8, logger: db.logger)
            let members = (0..<2).map { index in
                JobProcessor(
                    queue: JobQueue(database: database), handlers: ProcessorTests.counting(recorder), settings: settings.lane(index),
                    workerID: "lane-\(index)", group: lanes, logger: db.logger)
            }
            let group = ServiceGroup(services: [database, lanes], logger: db.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                func claims() -> Int { members.map(\.claimCount).reduce(0, +) }
                try await eventually { members.allSatisfy { $0.claimCount >= 1 } }
                // The first job runs once the group listens (or the claim its listening starts with
                // finds it): from then on every notification reaches the group.
                _ = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: 0))], for: org)
                try await eventually { recorder.runs.count == 1 }
                let before = claims()
                for n in 1...10 {
                    _ = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: n))], for: org)
                    try await eventually { recorder.runs.count == n + 1 }
                }
                // Ten notifications; one more claim may be the one listening started with.
                #expect(claims() - before <= 11, "\(claims() - before) claims for ten notifications")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}

/// Holds jobs until the test opens it, counting those that arrived.
final class Gate: Sendable {
    private let state = Mutex((entered: 0, open: false))

    func enter() { state.withLock { $0.entered += 1 } }
    func open() { state.withLock { $0.open = true } }
    var entered: Int { state.withLock { $0.entered } }
    var isOpen: Bool { state.withLock { $0.open } }
}
