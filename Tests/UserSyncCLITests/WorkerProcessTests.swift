import Foundation
import Logging
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `usersync work` as real processes: killed with SIGKILL, stopped with SIGTERM.
@Suite struct WorkerProcessTests {
    static func startWorker(_ db: TestDatabase, extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["work"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.environment = environment(db, extra: extra)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func environment(_ db: TestDatabase, extra: [String: String] = [:]) -> [String: String] {
        CommandLineTests.environment(db).merging([
            "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin",
            "USERSYNC_WORKER_LEASE_SECONDS": "3", "USERSYNC_WORKER_METRICS_PORT": "0", "USERSYNC_WORKER_POLL_INTERVAL_MS": "100",
            "USERSYNC_LOG_LEVEL": "warning",
        ]) { $1 }.merging(extra) { $1 }
    }

    static func sleepJob(_ db: TestDatabase, _ org: OrganizationID, milliseconds: Int) async throws -> Int64 {
        try await db.service.withTenant(org, logger: db.logger) { connection in
            try await JobQueue.enqueue(
                NewJob(kind: "diagnostic.sleep", payload: #"{"milliseconds": \#(milliseconds)}"#), organization: org,
                on: connection, logger: db.logger)
        }!
    }

    static func job(_ db: TestDatabase, _ id: Int64) async throws -> JobRecord {
        try await db.service.withQueueScope(logger: db.logger) { connection in
            try #require(try await JobQueue.get(id, organization: nil, on: connection, logger: db.logger))
        }
    }

    static func organization(_ db: TestDatabase) async throws -> OrganizationID {
        let id = OrganizationID.random()
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(id.rawValue), 'workers', 'Workers')")
        return id
    }

    @Test func aKilledWorkersJobRunsAgainOnAnotherWorker() async throws {
        try await withTestDatabase { db in
            let org = try await Self.organization(db)
            // Long enough that the first worker is surely killed before it finishes, on a busy machine too.
            let id = try await Self.sleepJob(db, org, milliseconds: 8_000)
            let first = try Self.startWorker(db)
            defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
            let running = try await eventually(.seconds(30)) {
                let job = try await Self.job(db, id)
                return job.state == .running && job.leaseOwner?.contains("/\(first.processIdentifier)/") == true
            }
            #expect(running, "the first worker never started the job")
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            let killedAt = ContinuousClock.now

            let second = try Self.startWorker(db)
            defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
            let finished = try await eventually(.seconds(30)) { try await Self.job(db, id).state == .succeeded }
            #expect(finished, "the job did not complete on the second worker")
            #expect(ContinuousClock.now - killedAt < .seconds(30))
            let job = try await Self.job(db, id)
            #expect(job.attempts == 2, "the killed run counts as an attempt")
            second.terminate()
            second.waitUntilExit()
            #expect(second.terminationStatus == 0)
        }
    }

    @Test func sigtermFinishesShortJobsAndGivesLongOnesBackUnspent() async throws {
        try await withTestDatabase { db in
            let org = try await Self.organization(db)
            let quick = try await Self.sleepJob(db, org, milliseconds: 100)
            // The short job runs long enough to be seen running on a busy machine, and ends within the grace period.
            let short = try await Self.sleepJob(db, org, milliseconds: 8_000)
            let long = try await Self.sleepJob(db, org, milliseconds: 120_000)
            let metricsPort = Int.random(in: 20_000...32_000)  // below the ephemeral range
            let worker = try Self.startWorker(
                db,
                extra: [
                    "USERSYNC_WORKER_GRACE_PERIOD_SECONDS": "15", "USERSYNC_WORKER_METRICS_PORT": String(metricsPort),
                ])
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            let bothRunning = try await eventually(.seconds(30)) {
                let q = try await Self.job(db, quick)
                let a = try await Self.job(db, short)
                let b = try await Self.job(db, long)
                return q.state == .succeeded && a.state == .running && b.state == .running
            }
            #expect(bothRunning)
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
            let metrics = String(decoding: data, as: UTF8.self)
            func value(_ series: String) -> Int? {
                metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
            }
            let kind = #"{kind="diagnostic.sleep"}"#
            // The quick job succeeded; the short one may have too by the time the metrics are read.
            let succeeded = value("usersync_jobs_succeeded_total" + kind)
            #expect(value("usersync_jobs_started_total" + kind) == 3, "\(metrics)")
            #expect(succeeded == 1 || succeeded == 2, "\(metrics)")
            #expect(value("usersync_job_run_seconds_count" + kind) == succeeded, "\(metrics)")
            #expect(value("usersync_job_start_latency_seconds_count" + kind) == 3, "\(metrics)")
            worker.terminate()  // SIGTERM
            let stoppedAt = ContinuousClock.now
            let exited = try await eventually(.seconds(30)) { !worker.isRunning }
            #expect(exited, "usersync work did not exit after SIGTERM")
            worker.waitUntilExit()
            #expect(worker.terminationStatus == 0)
            #expect(ContinuousClock.now - stoppedAt < .seconds(25), "the grace period bounds the shutdown")
            #expect(try await Self.job(db, short).state == .succeeded)
            let released = try await Self.job(db, long)
            #expect(released.state == .queued)
            #expect(released.attempts == 0, "nothing counted as an attempt")
        }
    }

    @Test func workRefusesPendingMigrationsAndJobsCommandsWork() async throws {
        try await withTestDatabase(migrated: false) { db in
            let run = try await CommandLineTests.usersync(["work"], environment: CommandLineTests.environment(db))
            #expect(run.status != 0)
            #expect(run.errors.contains("usersync migrate"), "\(run.errors)")
        }
        try await withTestDatabase { db in
            let org = try await Self.organization(db)
            let id = try await Self.sleepJob(db, org, milliseconds: 1)
            let env = CommandLineTests.environment(db)
            let listed = try await CommandLineTests.usersync(["jobs", "list", "--org", "workers", "--state", "queued"], environment: env)
            #expect(listed.status == 0 && listed.output.contains("diagnostic.sleep"), "\(listed.errors)")
            let cancelled = try await CommandLineTests.usersync(["jobs", "cancel", String(id)], environment: env)
            #expect(cancelled.status == 0, "\(cancelled.errors)")
            let again = try await CommandLineTests.usersync(["jobs", "cancel", String(id)], environment: env)
            #expect(again.status != 0 && again.errors.contains("cancelled"), "\(again.errors)")
            #expect(try await CommandLineTests.usersync(["jobs", "retry", String(id)], environment: env).status == 0)
            let shown = try await CommandLineTests.usersync(["jobs", "show", String(id)], environment: env)
            #expect(shown.output.contains("\"state\" : \"queued\"") && shown.output.contains("\"milliseconds\" : 1"), "\(shown.output)")
            let bad = try await CommandLineTests.usersync(["jobs", "show", "abc"], environment: env)
            #expect(bad.status != 0)
            let missing = try await CommandLineTests.usersync(["jobs", "show", "987654"], environment: env)
            #expect(missing.status != 0 && missing.errors.contains("no such job"), "\(missing.errors)")
        }
    }
}
