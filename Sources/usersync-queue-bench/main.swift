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

/// Measures the job queue against a real PostgreSQL and prints the figures as JSON. A program,
/// not a test. Run it through `scripts/bench-queue`, which starts the database.
@main
struct QueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-queue-bench", abstract: "Measure job queue throughput, latency, fairness and recovery.")

    @Option(help: "Jobs in the drained backlog.") var jobs = 100_000
    @Option(help: "Jobs one worker runs at once.") var concurrency = 500
    @Option(help: "Jobs claimed per round trip.") var batchSize = 500
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
            let bench = Bench(db: db, settings: settings, logger: logger)
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
            report["jobs"] = Double(total)
            report["concurrency"] = Double(concurrency)
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
    let logger: Logger
    var queue: JobQueue { JobQueue(database: db.service) }

    func organization() async throws -> OrganizationID {
        let id = OrganizationID.random()
        let slug = "bench-\(id.description.prefix(8))"
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(id.rawValue), \(slug), \(slug))")
        return id
    }

    func enqueue(_ count: Int, kind: String = "noop", for org: OrganizationID) async throws {
        var left = count
        while left > 0 {
            let chunk = min(left, 10_000)
            _ = try await db.service.withTenant(org, logger: logger) { connection in
                try await JobQueue.enqueue(Array(repeating: NewJob(kind: kind), count: chunk), organization: org, on: connection, logger: logger)
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


extension Double {
    func rounded(to places: Int) -> Double {
        let factor = Foundation.pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
