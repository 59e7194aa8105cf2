import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import Synchronization
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncWorker

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Measures the job queue against a real PostgreSQL and prints the figures as JSON. A program,
/// not a test. Run it through `scripts/bench-queue`, which starts the database.
@main
struct QueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-queue-bench", abstract: "Measure job queue throughput, latency, fairness and recovery.")

    @Option(help: "Jobs in the drained backlog.") var jobs = 100_000
    @Option(help: "Jobs one worker runs at once.") var concurrency = 500
    @Option(help: "Jobs in (f)'s backlog of jobs that wait (sleep) rather than work.") var waitingJobs = 20_000
    @Option(help: "How long each of (f)'s waiting jobs sleeps, in milliseconds.") var sleepMilliseconds = 100
    @Option(
        help:
            "Jobs each worker process of (f) runs at once (and claims at most at a time); a process's pool holds this many connections and four more, so two processes' worth must fit the server's max_connections."
    )
    var processConcurrency = 100
    @Option(help: "Jobs claimed per round trip.") var batchSize = 500
    @Option(help: "The usersync binary whose `work` processes drain the backlog in (f).") var usersync = ".build/release/usersync"
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func run() async throws {
        let total = smoke ? 1_000 : jobs
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let logger = quiet
        let report = try await withTestDatabase { db in
            var settings = WorkerSettings()
            settings.concurrency = concurrency
            settings.batchSize = batchSize
            settings.pollInterval = .milliseconds(200)
            let bench = Bench(db: db, settings: settings, binary: usersync, processConcurrency: processConcurrency, logger: logger)
            var report: [String: Double] = [:]
            report["a_database_ceiling_jobs_per_second"] = try await bench.databaseCeiling(jobs: total)
            report["b_drain_jobs_per_second"] = try await bench.drain(jobs: total)
            report["b_over_a"] = (report["b_drain_jobs_per_second"]! / report["a_database_ceiling_jobs_per_second"]!).rounded(to: 3)
            let idle = try await bench.latency(probes: smoke ? 20 : 300, backgroundRate: 0)
            report["c_idle_p50_ms"] = idle.p50
            report["c_idle_p99_ms"] = idle.p99
            let loaded = try await bench.latency(probes: smoke ? 20 : 300, backgroundRate: report["b_drain_jobs_per_second"]! / 2)
            report["c_half_load_p50_ms"] = loaded.p50
            report["c_half_load_p99_ms"] = loaded.p99
            report["d_quiet_org_p95_ms_during_flood"] = try await bench.fairness(flood: total, probes: smoke ? 20 : 100)
            report["e_killed_worker_job_rerun_seconds"] = try await bench.recovery(lease: smoke ? .seconds(3) : settings.lease)
            report["e_lease_seconds"] = smoke ? 3 : Double(settings.lease.components.seconds)
            // Jobs that wait (on a platform, here a sleep) are bounded by each process's
            // concurrency, so processes add up; no-op jobs are bounded by the database.
            let waiting = ProcessBacklog(
                kind: "diagnostic.sleep", payload: #"{"milliseconds": \#(sleepMilliseconds)}"#, jobs: smoke ? 200 : waitingJobs)
            let noop = ProcessBacklog(kind: "noop", payload: "{}", jobs: total)
            for (name, backlog) in [("f_waiting", waiting), ("f_noop", noop)] {
                let one = try await bench.workProcesses(1, backlog: backlog, organizations: 20)
                let two = try await bench.workProcesses(2, backlog: backlog, organizations: 20)
                report["\(name)_one_process_jobs_per_second"] = one.jobsPerSecond
                report["\(name)_two_processes_jobs_per_second"] = two.jobsPerSecond
                report["\(name)_two_over_one"] = (two.jobsPerSecond / one.jobsPerSecond).rounded(to: 3)
                let runs = two.jobsByProcess.reduce(0, +)
                report["\(name)_two_processes_busier_share"] = (Double(two.jobsByProcess.max() ?? 0) / Double(runs)).rounded(to: 3)
                report["\(name)_jobs_run_again"] = Double(one.jobsByProcess.reduce(0, +) + runs - 2 * backlog.jobs)
                report["\(name)_jobs"] = Double(backlog.jobs)
            }
            report["f_waiting_job_milliseconds"] = Double(sleepMilliseconds)
            report["f_organizations"] = 20
            report["jobs"] = Double(total)
            report["concurrency"] = Double(concurrency)
            report["f_process_concurrency"] = Double(processConcurrency)
            report["batch_size"] = Double(batchSize)
            return report
        }
        try BenchmarkSupport.print(report)
    }
}

struct Empty: Decodable, Sendable {}

struct Bench: Sendable {
    let db: TestDatabase
    let settings: WorkerSettings
    /// The `usersync` binary (f) runs as `usersync work`.
    let binary: String
    let processConcurrency: Int
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
                            lease: .seconds(60), logger: logger)
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

    /// Insert-to-start latency of single jobs (server clock), optionally under a background load.
    func latency(probes: Int, backgroundRate: Double) async throws -> (p50: Double, p99: Double) {
        let probe = try await organization()
        let background = try await organization()
        let samples = try await withProcessor {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if backgroundRate > 0 {
                    group.addTask {
                        // Enqueue every 10 ms at the requested rate until cancelled.
                        let perTick = max(1, Int(backgroundRate / 100))
                        while !Task.isCancelled {
                            try await enqueue(perTick, for: background)
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    }
                    try await Task.sleep(for: .seconds(1))
                }
                for _ in 0..<probes {
                    try await enqueue(1, kind: "noop", for: probe)
                    try await Task.sleep(for: .milliseconds(backgroundRate > 0 ? 10 : 20))
                }
                try await Task.sleep(for: .seconds(1))
                group.cancelAll()
                while let result = await group.nextResult() { if case .failure(let error) = result, !(error is CancellationError) { throw error } }
            }
            return try await startLatencies(probe)
        }
        try await clear()
        return (percentile(samples, 0.50), percentile(samples, 0.99))
    }

    /// Every job's insert-to-start time; one that has not started yet counts as waiting until
    /// now, so a starved job raises the percentiles instead of dropping out of them.
    func startLatencies(_ org: OrganizationID) async throws -> [Double] {
        try await db.service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT extract(epoch FROM coalesce(started_at, clock_timestamp()) - created_at)::float8 * 1000 FROM jobs
                WHERE org_id = \(org.rawValue)
                """, logger: logger)
            var values: [Double] = []
            for try await value in rows.decode(Double.self) { values.append(value) }
            return values
        }
    }

    /// (d) A quiet organization's single jobs while another organization floods the queue.
    func fairness(flood: Int, probes: Int) async throws -> Double {
        let flooder = try await organization()
        let quiet = try await organization()
        try await enqueue(flood, for: flooder)
        let samples = try await withProcessor {
            for _ in 0..<probes {
                try await enqueue(1, for: quiet)
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .seconds(1))
            return try await startLatencies(quiet)
        }
        try await clear()
        return percentile(samples, 0.95)
    }

    /// (e) A worker claims a job and dies; how long until it has run elsewhere.
    func recovery(lease: Duration) async throws -> Double {
        let org = try await organization()
        try await enqueue(1, for: org)
        _ = try await queue.claim(worker: "killed", limit: 1, perOrganization: 1, lease: lease, logger: logger)
        let killedAt = ContinuousClock.now
        var recoverySettings = settings
        recoverySettings.lease = lease
        let reaper = LeaseReaper(queue: queue, handlers: .builtIn, settings: recoverySettings, logger: logger)
        let seconds = try await withProcessor {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await reaper.run() }
                while try await unfinished() { try await Task.sleep(for: .milliseconds(50)) }
                group.cancelAll()
                return (ContinuousClock.now - killedAt).seconds
            }
        }
        try await clear()
        return seconds.rounded(to: 2)
    }

    func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)].rounded(to: 2)
    }
}

// MARK: (f) Worker processes

/// A `usersync work` process and the port of its metrics endpoint.
struct Worker: Sendable {
    let process: Process
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
                while try await db.statementsWaitingOnALock(containing: "usersync_claim_jobs") < count {  // blocked on the lock held here
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

    func startWorker(metricsPort: Int) throws -> Process {
        try BenchmarkSupport.start(
            "work", binary: URL(fileURLWithPath: binary), db: db,
            environment: [
                "USERSYNC_WORKER_CONCURRENCY": String(processConcurrency),
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
    func jobsRun(_ kind: String, by process: Process, metricsPort: Int) async throws -> Int {
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

extension Double {
    func rounded(to places: Int) -> Double {
        let factor = Foundation.pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
