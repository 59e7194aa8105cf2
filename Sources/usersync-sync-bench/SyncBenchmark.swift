import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence
import UserSyncSimulator
import UserSyncTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Bulk-syncs people onto one secondary platform through real `usersync serve` and `usersync work`
/// processes, with the simulator in this process, and prints figures as JSON: syncs per second
/// from the request to every sync carried out, and the API's latency while it runs: a people page
/// and a point read of a person, each sent at a fixed rate (an open loop) and timed from its
/// scheduled send, so queueing behind the worker's load counts. Half the
/// people have an account there (a consent prompt is sent on Slack), half have none (a Teams guest
/// is invited). A program, not a test; run it through `scripts/bench-sync`.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "usersync-sync-bench", abstract: "Measure bulk syncs end to end.")

    @Option(help: "People in the simulated organization.") var people = 40_000
    @Option(help: "Syncs to request (half link, half virtual).") var syncs = 10_000
    @Option(help: "The usersync binary that serves and works.") var usersync = ".build/release/usersync"
    @Option(help: "Jobs each worker process runs at once.") var concurrency = 16
    @Option(help: "Worker processes (`usersync work`) against the one database.") var workers = 1
    @Option(help: "People pages, and point reads, sent a second each while the worker syncs (0: none).") var probeRate = 200
    @Option(help: "Seconds of probes sent before the measured ones, and not counted.") var probeWarmup = 2.0
    @Option(help: "Other organizations written into the database first (directly in SQL).") var others = 0
    @Option(help: "People in each other organization.") var otherSize = 50_000
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func validate() throws {
        guard people > 0, syncs > 0, concurrency > 0, workers > 0, probeRate >= 0, probeWarmup >= 0, others >= 0, otherSize > 0 else {
            throw ValidationError(
                "--people, --syncs, --concurrency, --workers and --other-size must be positive, --probe-rate, --probe-warmup and --others not negative"
            )
        }
    }

    func run() async throws {
        let people = smoke ? 300 : self.people, wanted = smoke ? 40 : syncs
        let binary = usersync, concurrency = concurrency, workers = workers, probeRate = smoke ? min(probeRate, 20) : probeRate
        let probeWarmup = smoke ? min(probeWarmup, 0.5) : probeWarmup
        let others = others, otherSize = smoke ? min(otherSize, 500) : otherSize
        let report = try await withTestDatabase { db in
            var filled: [String: Double] = [:]
            if others > 0 {
                let started = ContinuousClock.now
                try await db.fillOtherOrganizations(count: others, people: otherSize)
                filled = ["others": Double(others), "other_size": Double(otherSize), "fill_others_seconds": (ContinuousClock.now - started).seconds]
            }
            return try await SimulatedPlatforms.run { platforms in
                try await Bench(
                    db: db, platforms: platforms, binary: binary, concurrency: concurrency, workers: workers, probeRate: probeRate,
                    probeWarmup: probeWarmup
                )
                .measure(people: people, syncs: wanted)
            }.merging(filled) { $1 }
        }
        try BenchmarkSupport.print(report)
    }
}

struct Bench: Sendable {
    let db: TestDatabase
    let platforms: SimulatedPlatforms
    let binary: String
    let concurrency: Int
    let workers: Int
    let probeRate: Int
    let probeWarmup: Double
    static let operatorToken = String(repeating: "b", count: 40)
    /// The measured organization, among the others the database may hold.
    static let organizationID = "(SELECT id FROM organizations WHERE slug = 'bench')"
    /// Probe requests in flight at most; one due beyond it is missed.
    static let inFlightLimit = 64

    func measure(people: Int, syncs wanted: Int) async throws -> [String: Double] {
        _ = platforms.simulator.createOrganization(name: "bench", seed: 5, size: people)
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let serve = try start("serve", port: port)
        let work = try (0..<workers).map { _ in try start("work", port: port) }
        defer {
            for process in [serve] + work where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let api = BenchmarkClient(base: "http://127.0.0.1:\(port)")
        try await api.waitUntilReady()
        _ = try await api.call(.POST, "/v1/orgs", token: Self.operatorToken, body: #"{"slug":"bench","name":"Bench"}"#)
        let key =
            try await api.call(
                .POST, "/v1/orgs/bench/keys", token: Self.operatorToken, body: #"{"name":"bench","role":"admin"}"#)["secret"] as! String
        var connections: [Platform: String] = [:]
        for platform in Platform.allCases {
            let body = String(
                decoding: try JSONEncoder().encode(
                    platforms.simulator.summary(organization: "bench")!.usersyncConnection(platform, base: platforms.baseURL)), as: UTF8.self)
            let connection = try await api.call(.POST, "/v1/orgs/bench/connections", token: key, body: body)["id"] as! String
            if platform.importsSelectedTeams {
                var ids: [String] = []
                var cursor: String?
                repeat {
                    let page = try await api.call(
                        .GET, "/v1/orgs/bench/connections/\(connection)/teams/available" + (cursor.map { "?cursor=\($0)" } ?? ""), token: key)
                    ids += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["platform_team_id"] as? String }
                    cursor = page["next_cursor"] as? String
                } while cursor != nil
                let selection = String(decoding: try JSONSerialization.data(withJSONObject: ["select": ids]), as: UTF8.self)
                _ = try await api.call(.POST, "/v1/orgs/bench/connections/\(connection)/teams/selection", token: key, body: selection)
            }
            let run = try await api.call(.POST, "/v1/orgs/bench/connections/\(connection)/imports", token: key)["id"] as! String
            while true {
                let state = try await api.call(.GET, "/v1/orgs/bench/imports/\(run)", token: key)["state"] as? String
                if state == "succeeded" { break }
                guard state != "failed" else { throw ValidationError("the \(platform) import failed") }
                try await Task.sleep(for: .milliseconds(100))
            }
            connections[platform] = connection
        }
        _ = try await api.call(
            .POST, "/v1/orgs/bench/people/primary", token: key, body: #"{"platform":"slack","filter":{"needs_primary_choice":true}}"#)

        // Slack people, half with a Teams account (a link: the prompt goes out on Slack) and half
        // without (virtual: a Teams guest is invited).
        let slack = connections[.slack]!, teams = connections[.teams]!
        let withAccount = try await candidates(primary: slack, secondary: teams, hasAccount: true, limit: wanted / 2)
        let without = try await candidates(primary: slack, secondary: teams, hasAccount: false, limit: wanted - withAccount.count)
        let ids = withAccount + without
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["connection_id": teams, "person_ids": ids]), as: UTF8.self)

        guard !ids.isEmpty else { throw ValidationError("no Slack person to sync onto Teams") }

        // The API's latency while the worker syncs: the first people page and a point read of a
        // person being synced, each at the probe rate (none at 0), until every sync is carried out.
        let probes =
            probeRate > 0
            ? try await ProbeProcess(
                .init(
                    base: "http://127.0.0.1:\(port)", token: key, rate: probeRate, inFlightLimit: Self.inFlightLimit, warmup: probeWarmup, people: ids
                )) : nil
        let dbBefore = try await DatabaseWork.now(db)
        let cpuBefore = try await CPUSample.now(serve: serve.processIdentifier, work: work.map(\.processIdentifier), db: db)
        let started = ContinuousClock.now
        let reply = try await api.call(.POST, "/v1/orgs/bench/syncs", token: key, body: body)
        let acceptedAfter = (ContinuousClock.now - started).seconds
        try probes?.accepted()
        while try await busy() > 0 { try await Task.sleep(for: .milliseconds(50)) }
        let probeFigures = try await probes?.stop() ?? [:]
        let tally = reply["counts"] as? [String: Int] ?? [:]
        let seconds = (ContinuousClock.now - started).seconds
        let cpu = try await CPUSample.now(serve: serve.processIdentifier, work: work.map(\.processIdentifier), db: db).since(cpuBefore)
        var report: [String: Double] = [
            "people": Double(people), "syncs_requested": Double(ids.count), "syncs_created": Double(tally["created"] ?? 0),
            "link_syncs": Double(withAccount.count), "virtual_syncs": Double(without.count),
            "seconds_from_request_to_all_done": seconds, "seconds_to_accept_request": acceptedAfter,
            "syncs_per_second": (Double(ids.count) / seconds).rounded(),
            "api_probe_rate_per_second": Double(probeRate),
            "worker_nice": Double(workerNice),
            "workers": Double(workers),
            "worker_peak_rss_mib": work.map { BenchmarkSupport.peakResidentMiB($0.processIdentifier) }.max() ?? -1,
            "prompts_delivered": Double(platforms.simulator.messages(organization: "bench").count),
            "guests_invited": Double(platforms.simulator.invitations(organization: "bench").count),
        ]
        // Where the run's time went, and the worker's and PostgreSQL's cost per sync, which the
        // machine's load from outside moves less than the rate.
        report.merge(cpu) { $1 }
        // What the run asked of the database, the probes' reads included.
        report.merge(try await DatabaseWork.now(db).since(dbBefore, per: ids.count, unit: "sync")) { $1 }
        for name in ["work", "postgres"] { report["cpu_ms_per_sync_\(name)"] = CPUSample.milliseconds(of: name, per: ids.count, in: cpu) }
        // The probes' figures, also from the bulk request's answer on, when the worker alone competes with the API.
        report.merge(probeFigures) { $1 }
        for (status, count) in try await statuses() { report["status_\(status)"] = Double(count) }
        // Every link sync prompted once and waiting for its person, every other one a guest.
        let expected: [String: Double] = [
            "status_pending:awaiting_user_consent": Double(withAccount.count), "prompts_delivered": Double(withAccount.count),
            "status_synced:guest_invited": Double(without.count), "guests_invited": Double(without.count),
        ]
        let wrong = expected.filter { report[$0.key] != $0.value }.map { "\($0.key) is \(report[$0.key] ?? 0), expected \($0.value)" }
        guard wrong.isEmpty else { throw ValidationError("the run did not end as expected: \(wrong.sorted().joined(separator: "; "))") }
        return report.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    /// With probes, the worker runs beside the API as `docker/compose.yaml` runs it, at nice 10
    /// (in a session of its own, its autogroup too: docs/scaling.md); without, flat out as on a
    /// host of its own. `BENCH_ENV_USERSYNC_WORKER_NICE` sets another.
    var workerNice: Int { BenchmarkSupport.overrides["USERSYNC_WORKER_NICE"].flatMap(Int.init) ?? (probeRate > 0 ? 10 : 0) }

    func start(_ role: String, port: Int) throws -> SessionProcess {
        try BenchmarkSupport.start(
            role, binary: URL(fileURLWithPath: binary), db: db,
            environment: [
                "DATABASE_POOL_SIZE": "20", "USERSYNC_OPERATOR_TOKEN": Self.operatorToken, "USERSYNC_HTTP_PORT": String(port),
                "USERSYNC_WORKER_CONCURRENCY": String(concurrency), "USERSYNC_WORKER_NICE": String(workerNice),
            ],
            logLevel: ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "error")
    }

    func candidates(primary: String, secondary: String, hasAccount: Bool, limit: Int) async throws -> [String] {
        let rows = try await db.admin.client.query(
            """
            SELECT p.id::text FROM people p
            WHERE p.primary_connection_id = \(UUID(uuidString: primary)!)
              AND \(hasAccount) = EXISTS (SELECT 1 FROM platform_accounts a WHERE a.person_id = p.id
                                            AND a.connection_id = \(UUID(uuidString: secondary)!) AND a.active)
              AND (\(hasAccount) OR NOT EXISTS (SELECT 1 FROM platform_accounts a WHERE a.person_id = p.id
                                            AND a.connection_id = \(UUID(uuidString: secondary)!)))
            ORDER BY p.id LIMIT \(limit)
            """, logger: db.logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// Syncs still to carry out, or 1 while a batch is queued or running. Asked every 50 ms, so it
    /// looks at the few jobs first: counting 10,000 syncs each time took about 5 ms of the
    /// database's CPU, a seventh of what the run itself used there.
    func busy() async throws -> Int64 {
        let rows = try await db.admin.client.query(
            """
            SELECT CASE WHEN EXISTS (SELECT FROM jobs WHERE kind = 'sync.run' AND state IN ('queued', 'running')) THEN 1
                        ELSE (SELECT count(*) FROM syncs WHERE org_id = \(unescaped: Self.organizationID) AND status = 'pending'
                                                             AND cause IS DISTINCT FROM 'awaiting_user_consent')
                   END
            """, logger: db.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    func statuses() async throws -> [(String, Int64)] {
        let rows = try await db.admin.client.query(
            "SELECT status || ':' || coalesce(cause, ''), count(*) FROM syncs WHERE org_id = \(unescaped: Self.organizationID) GROUP BY 1",
            logger: db.logger)
        var result: [(String, Int64)] = []
        for try await row in rows.decode((String, Int64).self) { result.append(row) }
        return result
    }
}

/// The simulator answers the worker's platform calls on the event loops that read them
/// (``BenchmarkSupport/runTasksOnEventLoops()``); the API probes run in a process of their own
/// (``ProbeProcess``).
@main
enum SyncBenchmarkMain {
    static func main() async {
        if CommandLine.arguments.dropFirst().first == ProbeProcess.flag { return await ProbeProcess.runChild() }
        BenchmarkSupport.runTasksOnEventLoops()
        await SyncBenchmark.main()
    }
}
