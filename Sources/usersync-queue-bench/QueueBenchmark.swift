import ArgumentParser
import Logging
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
    @Option(help: "Jobs in (f)'s backlog of jobs that wait (sleep) rather than work.") var waitingJobs = 20_000
    @Option(help: "How long each of (f)'s waiting jobs sleeps, in milliseconds.") var sleepMilliseconds = 100
    @Option(
        help:
            "Jobs each worker process of (f) runs at once (and claims at most at a time); a process's pool holds this many connections and four more, so two processes' worth must fit the server's max_connections."
    )
    var processConcurrency = 100
    @Option(
        help:
            "Claim loops (USERSYNC_WORKER_LANES) in each worker process of (f): one by default, so that (f) compares processes, not event loops."
    )
    var processLanes = 1
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
            let bench = Bench(
                db: db, settings: settings, binary: usersync, processConcurrency: processConcurrency, processLanes: processLanes, logger: logger)
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
            report["f_process_lanes"] = Double(processLanes)
            report["batch_size"] = Double(batchSize)
            return report
        }
        try BenchmarkSupport.print(report)
    }
}
