import Foundation
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence
import UserSyncTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

// MARK: (f) Worker processes

/// A `usersync work` process and the port of its metrics endpoint.
struct Worker: Sendable {
    let process: SessionProcess
    let metricsPort: Int
}

/// A backlog of one kind of job for (f).
struct ProcessBacklog: Sendable {
    let kind: String
    let payload: String
    let jobs: Int
}

/// What a backlog drained by real `usersync work` processes came to.
struct ProcessDrain: Sendable {
    /// From the first job's start to the last one's finish, on the database's clock.
    let jobsPerSecond: Double
    /// The jobs each process ran (its own succeeded counter), in start order.
    let jobsByProcess: [Int]
}

extension Bench {
    /// (f) A backlog of one kind of job spread over `organizations` organizations, drained by
    /// `processes` real `usersync work` processes with this benchmark's concurrency, batch size
    /// and poll interval. The processes start claiming at the same moment, and the rate runs on
    /// the database's clock from the first job's start to the last one's finish, so process
    /// start-up does not count. Each process's share comes from its metrics endpoint: the table
    /// forgets a job's worker (`lease_owner`) once it has succeeded.
    func workProcesses(_ processes: Int, backlog: ProcessBacklog, organizations: Int) async throws -> ProcessDrain {
        let jobs = backlog.jobs
        for index in 0..<organizations {
            let org = try await organization()
            try await enqueue(
                jobs / organizations + (index < jobs % organizations ? 1 : 0), kind: backlog.kind, payload: backlog.payload, for: org)
        }
        // Both runs start from the same table: earlier sections' deleted jobs vacuumed away, and
        // statistics that know the backlog.
        try await db.adminQuery("VACUUM ANALYZE jobs")

        let workers = try await startTogether(processes)
        defer {
            for worker in workers where worker.process.isRunning { kill(worker.process.processIdentifier, SIGKILL) }
        }

        let limit = Duration.seconds(120) + .seconds(Double(jobs) / 200)
        let deadline = ContinuousClock.now + limit
        while try await unfinished() {
            for worker in workers where !worker.process.isRunning {
                throw BenchmarkFailure(
                    "(f) usersync work (pid \(worker.process.processIdentifier)) exited with status "
                        + "\(worker.process.terminationStatus) before the backlog drained")
            }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFailure(
                    "(f) \(processes) usersync work process(es) did not drain \(jobs) jobs within \(Int(limit.seconds)) s: "
                        + "\(try await unfinishedCount()) still queued or running")
            }
            try await Task.sleep(for: .milliseconds(200))
        }

        let (succeeded, seconds) = try await drainWindow()
        guard succeeded == jobs else { throw BenchmarkFailure("(f) \(succeeded) of \(jobs) jobs succeeded") }
        var ran: [Int] = []
        for worker in workers { ran.append(try await jobsRun(backlog.kind, by: worker.process, metricsPort: worker.metricsPort)) }
        // At least once: a job whose lease ran out before its success was recorded runs again.
        guard ran.reduce(0, +) >= jobs else {
            throw BenchmarkFailure("(f) the processes' metrics count \(ran) jobs run, at least \(jobs) expected")
        }
        ChildProcess.stop(workers.map { ($0.process, "usersync work") }, within: .seconds(60))
        try await clear()
        return ProcessDrain(jobsPerSecond: (Double(jobs) / seconds).rounded(), jobsByProcess: ran)
    }

    /// Starts `count` worker processes while the `jobs` table is locked against claims, and
    /// releases it once each is waiting on its first claim: otherwise the first process up would
    /// drain a small backlog alone before the second had connected.
    func startTogether(_ count: Int) async throws -> [Worker] {
        var ports: Set<Int> = []
        while ports.count < count { ports.insert(Int.random(in: 20_000...32_000)) }  // below the ephemeral range
        return try await db.admin.withTransaction(logger: logger) { connection in
            // EXCLUSIVE blocks the claim's row locks and updates, not plain reads.
            try await connection.query("LOCK TABLE jobs IN EXCLUSIVE MODE", logger: logger)
            var workers: [Worker] = []
            do {
                for port in ports { workers.append(Worker(process: try startWorker(metricsPort: port), metricsPort: port)) }
                let deadline = ContinuousClock.now + .seconds(60)
                while try await db.statementsWaitingOnALock(containing: "usersync_claim_due_jobs") < count {  // blocked on the lock held here
                    for worker in workers where !worker.process.isRunning {
                        throw BenchmarkFailure(
                            "(f) usersync work (pid \(worker.process.processIdentifier)) exited with status "
                                + "\(worker.process.terminationStatus) before its first claim")
                    }
                    guard ContinuousClock.now < deadline else {
                        throw BenchmarkFailure("(f) \(count) usersync work process(es) were not all waiting to claim within 60 s of starting")
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            } catch {
                for worker in workers where worker.process.isRunning { kill(worker.process.processIdentifier, SIGKILL) }
                throw error
            }
            return workers
        }
    }

    func startWorker(metricsPort: Int) throws -> SessionProcess {
        try BenchmarkSupport.start(
            "work", binary: URL(fileURLWithPath: binary), db: db,
            environment: [
                "USERSYNC_WORKER_CONCURRENCY": String(processConcurrency),
                "USERSYNC_WORKER_LANES": String(processLanes),
                "USERSYNC_WORKER_BATCH_SIZE": String(min(settings.batchSize, processConcurrency)),
                "USERSYNC_WORKER_POLL_INTERVAL_MS": String(Int(settings.pollInterval.seconds * 1_000)),
                "USERSYNC_WORKER_METRICS_PORT": String(metricsPort),
            ],
            logLevel: ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "error")
    }

    /// Succeeded jobs, and the seconds from the first start to the last finish.
    func drainWindow() async throws -> (Int, Double) {
        try await db.service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT count(*) FILTER (WHERE state = 'succeeded'),
                       coalesce(extract(epoch FROM max(finished_at) - min(started_at))::float8, 0)
                FROM jobs
                """, logger: logger)
            for try await (count, seconds) in rows.decode((Int64, Double).self) { return (Int(count), seconds) }
            return (0, 0)
        }
    }

    func unfinishedCount() async throws -> Int {
        try await db.service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')", logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }

    /// The jobs of `kind` a worker process ran, from its `/metrics`; a process that never got to
    /// claim may still be starting, so its endpoint is given up to 30 s to answer.
    func jobsRun(_ kind: String, by process: SessionProcess, metricsPort: Int) async throws -> Int {
        let url = URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            guard process.isRunning else {
                throw BenchmarkFailure("(f) usersync work (pid \(process.processIdentifier)) exited with status \(process.terminationStatus)")
            }
            if let (data, _) = try? await URLSession.shared.data(from: url) {
                let series = #"usersync_jobs_succeeded_total{kind="\#(kind)"} "#
                let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(series) }
                return line.flatMap { Double($0.dropFirst(series.count)) }.map { Int($0) } ?? 0
            }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkFailure("(f) usersync work (pid \(process.processIdentifier)) did not serve \(url) within 30 s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
