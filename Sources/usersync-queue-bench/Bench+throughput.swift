import Synchronization
import UserSyncDomain
import UserSyncJobs

extension Bench {
    /// (a) The claim and complete statements in tight loops, no handler path.
    func databaseCeiling(jobs: Int) async throws -> Double {
        let org = try await organization()
        try await enqueue(jobs, for: org)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for loop in 0..<4 {
                group.addTask {
                    while true {
                        let claimed = try await queue.claim(
                            worker: "ceiling-\(loop)", limit: settings.batchSize, perOrganization: settings.batchSize,
                            lease: .seconds(60), logger: logger
                        ).jobs
                        if claimed.isEmpty { return }
                        try await queue.succeed(claimed.map(\.key), worker: "ceiling-\(loop)", logger: logger)
                    }
                }
            }
            try await group.waitForAll()
        }
        let rate = Double(jobs) / (ContinuousClock.now - started).seconds
        try await clear()
        return rate.rounded()
    }

    /// (b) The worker's own path draining a backlog of no-op jobs. Progress is watched in
    /// process (a counter the handler bumps), not by polling the table, which would compete with
    /// the worker for the database; the table is checked once at the end.
    func drain(jobs: Int) async throws -> Double {
        let org = try await organization()
        try await enqueue(jobs, kind: "bench.count", for: org)
        let done = Mutex(0)
        var handlers = JobHandlers()
        handlers.register("bench.count", payload: Empty.self) { _, _ in
            done.withLock { $0 += 1 }
            return .succeeded
        }
        let rate = try await withProcessor(handlers: handlers) {
            let started = ContinuousClock.now
            while done.withLock({ $0 }) < jobs { try await Task.sleep(for: .milliseconds(5)) }
            // The last successes are recorded in one more batch.
            while try await unfinished() { try await Task.sleep(for: .milliseconds(5)) }
            return Double(jobs) / (ContinuousClock.now - started).seconds
        }
        try await clear()
        return rate.rounded()
    }
}
