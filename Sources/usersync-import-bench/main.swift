import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncUseCases

#if canImport(Glibc)
    import Glibc
#endif

/// Imports a simulated organization on all four platforms through a real `usersync work` process
/// and prints figures as JSON: wall time from the import requests to all runs succeeded, accounts
/// per second, the database's write rate and the worker's peak memory, then the same for an
/// unchanged re-import. A program, not a test; run it through `scripts/bench-import`.
@main
struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-import-bench", abstract: "Measure imports end to end against the platform simulator.")

    @Option(help: "Organization sizes (people) to import, comma-separated.") var sizes = "50000"
    @Option(help: "The usersync binary whose `work` runs the imports.") var usersync = ".build/release/usersync"
    @Option(help: "Jobs the worker runs at once.") var concurrency = 8
    @Option(help: "Also import each size into a database already holding this many other organizations, and compare.") var others = 0
    @Option(help: "People in each of the other organizations.") var otherSize = 50_000
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func run() async throws {
        let sizes = smoke ? [300] : self.sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty else { throw ValidationError("--sizes takes comma-separated numbers of people") }
        let settings = {
            var settings = SimulatedPlatforms.testSettings
            settings.requestTimeout = .seconds(60)
            return settings
        }()
        let binary = URL(fileURLWithPath: usersync)
        let concurrency = concurrency
        let others = smoke ? min(others, 1) : others, otherSize = smoke ? 200 : otherSize
        var reports: [[String: Double]] = []
        for size in sizes {
            reports.append(try await measure(size, binary: binary, concurrency: concurrency, settings: settings, others: 0, otherSize: 0))
        }
        if others > 0 {
            // The same imports again, each into a database that already holds the other organizations.
            var crowded: [[String: Double]] = []
            for size in sizes {
                crowded.append(
                    try await measure(size, binary: binary, concurrency: concurrency, settings: settings, others: others, otherSize: otherSize))
            }
            reports = zip(reports, crowded).map { alone, beside in
                var report = alone
                for (key, value) in beside where key.hasSuffix("seconds") || key.hasSuffix("per_second") { report["beside_others_\(key)"] = value }
                report["other_organizations"] = Double(others)
                report["other_organization_people"] = Double(otherSize)
                for key in ["first_import_seconds", "reimport_seconds"] where (alone[key] ?? 0) > 0 {
                    report["beside_others_\(key)_ratio"] = ((beside[key] ?? 0) / alone[key]! * 1000).rounded() / 1000
                }
                return report
            }
        }
        try BenchmarkSupport.print(reports)
    }

    /// Imports an organization of `size` people into a throwaway database of its own, holding
    /// `others` organizations of `otherSize` people first. Each size has its own database, so the
    /// 100,000 of `--sizes 50000,100000` are measured alone, not beside the 50,000 imported before.
    func measure(
        _ size: Int, binary: URL, concurrency: Int, settings: ConnectorSettings, others: Int, otherSize: Int
    ) async throws -> [String: Double] {
        try await withTestDatabase { db in
            if others > 0 { try await db.fillOtherOrganizations(count: others, people: otherSize) }
            return try await SimulatedPlatforms.run(settings: settings) { platforms in
                try await Bench(db: db, platforms: platforms, binary: binary, concurrency: concurrency).measure(size: size)
            }
        }
    }
}

struct Bench: Sendable {
    let db: TestDatabase
    let platforms: SimulatedPlatforms
    let binary: URL
    let concurrency: Int
    var logger: Logger { db.logger }

    func measure(size: Int) async throws -> [String: Double] {
        let name = "bench\(size)"
        let seeded = ContinuousClock.now
        _ = platforms.simulator.createOrganization(name: name, seed: 11, size: size)
        var report: [String: Double] = ["people": Double(size), "seed_seconds": (ContinuousClock.now - seeded).seconds]
        let org = OrganizationID.random()
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org.rawValue), \(name), \(name))")
        let center = ConnectCenter(
            database: db.service, access: platforms.access, health: ConnectionHealthRecorder(database: db.service, firstCheck: .seconds(60)))
        var connections: [ConnectionID] = []
        for platform in Platform.allCases {
            let c = platforms.connection(platform, organization: name)
            let connection = try await center.connect(
                .init(displayName: nil, credentials: c.credentials, apiBaseURL: c.endpoints.api, authBaseURL: c.endpoints.auth),
                organization: org, actor: .system, requestID: nil, logger: logger)
            if platform.importsSelectedTeams { try await selectAllTeams(center, connection.id, org) }
            connections.append(connection.id)
        }
        let worker = try startWorker()
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        let first = try await importAll(center, connections, org)
        report["first_import_seconds"] = first.seconds
        report.merge(first.perRun(prefix: "first_import")) { $1 }
        report["accounts"] = Double(first.accounts)
        report["first_import_accounts_per_second"] = (Double(first.accounts) / first.seconds).rounded()
        report["first_import_db_wal_mib_per_second"] = Double(first.walBytes) / first.seconds / 1_048_576
        let again = try await importAll(center, connections, org)
        report["reimport_seconds"] = again.seconds
        report.merge(again.perRun(prefix: "reimport")) { $1 }
        report["reimport_changes"] = Double(again.changes)
        report["reimport_db_wal_mib_per_second"] = Double(again.walBytes) / again.seconds / 1_048_576
        report["people_matched"] = Double(try await count("SELECT count(*) FROM people WHERE org_id = '\(org)'"))
        report["worker_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(worker.processIdentifier)
        ChildProcess.stop(worker, name: "usersync work", within: .seconds(60))
        return report.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    func selectAllTeams(_ center: ConnectCenter, _ connection: ConnectionID, _ org: OrganizationID) async throws {
        var cursor: String?
        var ids: [String] = []
        repeat {
            let page = try await center.availableTeams(connection, organization: org, cursor: cursor, logger: logger)
            ids += page.teams.map(\.platformTeamID)
            cursor = page.next
        } while cursor != nil
        _ = try await center.selectTeams(connection, organization: org, select: ids, deselect: [], actor: .system, requestID: nil, logger: logger)
    }

    struct Outcome {
        var seconds: Double
        /// Each platform's run as it ended.
        var runs: [String: ImportRun]
        var accounts: Int
        var changes: Int
        /// Write-ahead log the database wrote meanwhile: what it really wrote, indexes included.
        var walBytes: Int64

        /// Each run's wait, from its request to its start in the worker, and its own time, from
        /// that start to its end.
        func perRun(prefix: String) -> [String: Double] {
            var figures: [String: Double] = [:]
            for (platform, run) in runs {
                let started = run.startedAt ?? run.createdAt
                figures["\(prefix)_\(platform)_wait_seconds"] = started.timeIntervalSince(run.createdAt)
                figures["\(prefix)_\(platform)_run_seconds"] = (run.finishedAt ?? Date()).timeIntervalSince(started)
            }
            return figures
        }
    }

    /// Asks for an import of every connection at once and waits until all have succeeded.
    func importAll(_ center: ConnectCenter, _ connections: [ConnectionID], _ org: OrganizationID) async throws -> Outcome {
        let walBefore = try await walPosition()
        let started = ContinuousClock.now
        var runs: [ImportRunID] = []
        var platforms: [ImportRunID: String] = [:]
        for (connection, platform) in zip(connections, Platform.allCases) {
            let run = try await center.requestImport(connection, organization: org, actor: .system, requestID: nil, logger: logger).run.id
            runs.append(run)
            platforms[run] = platform.rawValue
        }
        var ended: [ImportRun] = []
        while true {
            ended = []
            for run in runs { ended.append(try await center.importRun(run, organization: org, logger: logger)) }
            if ended.allSatisfy({ !$0.state.isActive }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let seconds = (ContinuousClock.now - started).seconds
        for run in ended where run.state != .succeeded {
            throw ValidationError("an import failed: \(run.failureCause ?? "?") \(run.failureMessage ?? "")")
        }
        let counts = ended.map(\.counts)
        return Outcome(
            seconds: seconds,
            runs: Dictionary(uniqueKeysWithValues: ended.map { (platforms[$0.id]!, $0) }),
            accounts: counts.map(\.accountsSeen).reduce(0, +),
            changes: counts.map { $0.accountsAdded + $0.accountsUpdated + $0.accountsReactivated + $0.accountsDeactivated }.reduce(0, +),
            walBytes: try await walPosition() - walBefore)
    }

    func startWorker() throws -> SessionProcess {
        try BenchmarkSupport.start(
            "work", binary: binary, db: db, environment: ["USERSYNC_WORKER_CONCURRENCY": String(concurrency)],
            logLevel: ProcessInfo.processInfo.environment["BENCH_WORKER_LOG_LEVEL"] ?? "warning")
    }

    /// Bytes of write-ahead log written since the server started.
    func walPosition() async throws -> Int64 {
        try await count("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")
    }

    func count(_ sql: String) async throws -> Int64 {
        let rows = try await db.admin.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }
}
