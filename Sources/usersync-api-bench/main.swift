import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Measures the JSON API's own cost per request through a real `usersync serve` (with an idle
/// `usersync work` beside it and the simulator in this process), and prints figures as JSON: for
/// a point read of a person and for a people page of 50, the throughput of a closed loop of
/// clients and the latency at a fixed rate (an open loop, timed from each request's scheduled
/// send, so queueing counts), and `/healthz` throughput as the HTTP stack's ceiling. The
/// organization is imported from all four platforms, primaries are chosen and a few hundred people
/// are synced onto Teams first, so people carry syncs with history; `--others` writes other large
/// organizations into the database beside it. A program, not a test; run it through
/// `scripts/bench-api`.
@main
struct APIBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-api-bench", abstract: "Measure the JSON API's cost per request.")

    @Option(help: "People in the simulated organization measured.") var people = 5_000
    @Option(help: "Other organizations written into the database first (directly in SQL).") var others = 0
    @Option(help: "People in each other organization.") var otherSize = 50_000
    @Option(help: "Clients requesting at once in the throughput runs.") var connections = 16
    @Option(help: "Seconds each measurement runs.") var seconds = 10.0
    @Option(help: "Seconds of the same requests sent before each measurement, not measured.") var warmup = 2.0
    @Option(help: "Point reads per second in the fixed-rate run.") var pointRate = 500
    @Option(help: "People pages per second in the fixed-rate run.") var pageRate = 250
    @Option(help: "The usersync binary that serves and works.") var usersync = ".build/release/usersync"
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func validate() throws {
        guard people > 0, others >= 0, otherSize > 0, connections >= 1, seconds > 0, warmup >= 0, pointRate > 0, pageRate > 0 else {
            throw ValidationError(
                "--people, --other-size, --seconds and the rates must be positive, --others and --warmup not negative, --connections at least 1")
        }
    }

    func run() async throws {
        let plan = Plan(
            people: smoke ? 300 : people, others: others, otherSize: smoke ? min(otherSize, 500) : otherSize,
            connections: smoke ? min(connections, 4) : connections,
            seconds: .milliseconds(Int64((smoke ? 1 : seconds) * 1_000)), warmup: .milliseconds(Int64((smoke ? 0.2 : warmup) * 1_000)),
            pointRate: smoke ? 50 : pointRate, pageRate: smoke ? 50 : pageRate, binary: usersync)
        let report = try await withTestDatabase { db in
            try await SimulatedPlatforms.run { platforms in
                try await Bench(db: db, platforms: platforms, plan: plan).measure()
            }
        }
        try BenchmarkSupport.print(report)
    }
}

struct Plan: Sendable {
    let people: Int
    let others: Int
    let otherSize: Int
    let connections: Int
    let seconds: Duration
    let warmup: Duration
    let pointRate: Int
    let pageRate: Int
    let binary: String
}

struct Bench: Sendable {
    let db: TestDatabase
    let platforms: SimulatedPlatforms
    let plan: Plan
    static let operatorToken = String(repeating: "a", count: 40)
    static let organization = "bench"
    /// Last names whose people are synced onto Teams: each is about one person in 30.
    static let syncedNames = ["lovelace", "hopper", "knuth"]
    /// Pages of 50 whose cursors the page runs choose from (and the first page).
    static let pages = 50
    /// Requests a fixed-rate run keeps in flight at most; a request due beyond it is missed.
    static let inFlightLimit = 64
    /// The share of answers other than a 200 beyond which a run fails.
    static let failureShare = 0.01

    /// Imports and syncs take longer the larger the organization; these deadlines are generous.
    var setupDeadline: Duration { .seconds(180 + plan.people / 50) }

    func measure() async throws -> [String: Double] {
        var report: [String: Double] = [:]
        if plan.others > 0 {
            let started = ContinuousClock.now
            try await db.fillOtherOrganizations(count: plan.others, people: plan.otherSize)
            report["fill_others_seconds"] = (ContinuousClock.now - started).seconds
        }
        let org = Self.organization
        _ = platforms.simulator.createOrganization(name: org, seed: 5, size: plan.people)
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let serve = try start("serve", port: port)
        let work: Process
        do { work = try start("work", port: port) } catch {
            Self.stop([serve])
            throw error
        }
        defer { Self.stop([serve, work]) }
        let children = Children(serve: serve, work: work)
        let api = BenchmarkClient(base: "http://127.0.0.1:\(port)", alive: children.checkAlive)
        try await api.waitUntilReady()

        let setupStarted = ContinuousClock.now
        let key = try await prepare(api)
        let ids = try await personIDs(api, key: key)
        let cursors = try await pageCursors(api, key: key)
        report["setup_seconds"] = (ContinuousClock.now - setupStarted).seconds
        // The serve process's peak from the setup's API calls alone, to tell the measured requests' own apart.
        report["serve_peak_rss_mib_before_measuring"] = BenchmarkSupport.peakResidentMiB(serve.processIdentifier)

        let measured = try await LoadClient.with(base: "http://127.0.0.1:\(port)", connections: Self.inFlightLimit, alive: children.checkAlive) {
            client in try await requests(client, children, key: key, ids: ids, cursors: cursors)
        }
        report.merge(measured) { $1 }
        report["people"] = Double(plan.people)
        report["people_in_directory"] = Double(ids.count)
        report["page_cursors"] = Double(cursors.count)
        report["others"] = Double(plan.others)
        report["other_size"] = Double(plan.otherSize)
        report["people_in_database"] = Double(try await count("SELECT count(*) FROM people"))
        report["connections"] = Double(plan.connections)
        report["seconds_each"] = plan.seconds.seconds
        report["warmup_seconds_each"] = plan.warmup.seconds
        report["serve_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(serve.processIdentifier)
        report["work_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(work.processIdentifier)
        for (status, count) in try await statuses() { report["syncs_\(status)"] = Double(count) }
        return report.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    // MARK: Setting the organization up

    /// Creates the organization, connects and imports all four platforms, chooses primaries and
    /// syncs a few hundred people onto Teams, then waits for the worker; returns an admin API key.
    func prepare(_ api: BenchmarkClient) async throws -> String {
        let org = Self.organization, token = Self.operatorToken
        let orgID = try await api.call(.POST, "/v1/orgs", token: token, body: #"{"slug":"\#(org)","name":"Bench"}"#)["id"] as! String
        var connections: [Platform: String] = [:]
        var runs: [Platform: String] = [:]
        for platform in Platform.allCases {
            let connection = try await api.call(
                .POST, "/v1/orgs/\(org)/connections", token: token, body: platforms.connectionBody(platform, organization: org))["id"] as! String
            if platform.importsSelectedTeams { try await selectAllTeams(api, connection) }
            connections[platform] = connection
        }
        for (platform, connection) in connections {
            runs[platform] = try await api.call(.POST, "/v1/orgs/\(org)/connections/\(connection)/imports", token: token)["id"] as? String
        }
        try await waitUntil("every import succeeded", deadline: setupDeadline) {
            var done = true
            for (platform, run) in runs {
                let state = try await api.call(.GET, "/v1/orgs/\(org)/imports/\(run)", token: token)["state"] as? String
                guard state != "failed" else { throw BenchmarkFailure("the \(platform) import failed") }
                done = done && state == "succeeded"
            }
            return done
        }
        for platform in [Platform.slack, .teams] {
            _ = try await api.call(
                .POST, "/v1/orgs/\(org)/people/primary", token: token,
                body: #"{"platform":"\#(platform.rawValue)","filter":{"needs_primary_choice":true,"platforms":["\#(platform.rawValue)"]}}"#)
        }
        // A few hundred syncs onto Teams, so that the people read carry syncs with their history.
        for name in Self.syncedNames {
            _ = try await api.call(
                .POST, "/v1/orgs/\(org)/syncs", token: token, body: #"{"connection_id":"\#(connections[.teams]!)","filter":{"q":"\#(name)"}}"#)
        }
        // Only this organization's syncs: the other organizations' are written pending with no job.
        try await waitUntil("the worker carried out every sync", deadline: setupDeadline) { try await busy(UUID(uuidString: orgID)!) == 0 }
        return try await api.call(.POST, "/v1/orgs/\(org)/keys", token: token, body: #"{"name":"api bench","role":"admin"}"#)["secret"] as! String
    }

    func selectAllTeams(_ api: BenchmarkClient, _ connection: String) async throws {
        let org = Self.organization, token = Self.operatorToken
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET, "/v1/orgs/\(org)/connections/\(connection)/teams/available" + (cursor.map { "?cursor=\(Self.queryEscape($0))" } ?? ""),
                token: token)
            ids += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["platform_team_id"] as? String }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        let selection = String(decoding: try JSONSerialization.data(withJSONObject: ["select": ids]), as: UTF8.self)
        _ = try await api.call(.POST, "/v1/orgs/\(org)/connections/\(connection)/teams/selection", token: token, body: selection)
    }

    /// Every person's id, by the people list's own pages of 200.
    func personIDs(_ api: BenchmarkClient, key: String) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET, "/v1/orgs/\(Self.organization)/people?limit=200" + (cursor.map { "&cursor=\(Self.queryEscape($0))" } ?? ""), token: key)
            ids += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        guard !ids.isEmpty else { throw BenchmarkFailure("the people list is empty after the imports") }
        return ids
    }

    /// The cursors of the first pages of 50, escaped for a query string.
    func pageCursors(_ api: BenchmarkClient, key: String) async throws -> [String] {
        var cursors: [String] = []
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET, "/v1/orgs/\(Self.organization)/people?limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""), token: key)
            cursor = (page["next_cursor"] as? String).map(Self.queryEscape)
            if let cursor { cursors.append(cursor) }
        } while cursor != nil && cursors.count < Self.pages
        return cursors
    }

    // MARK: Measuring

    func requests(_ client: LoadClient, _ children: Children, key: String, ids: [String], cursors: [String]) async throws -> [String: Double] {
        let people = "/v1/orgs/\(Self.organization)/people"
        let point: @Sendable () async throws -> String? = { try await client.get("\(people)/\(ids.randomElement()!)", token: key) }
        let pages = [nil] + cursors
        let page: @Sendable () async throws -> String? = {
            try await client.get("\(people)?limit=50" + (pages.randomElement()!.map { "&cursor=\($0)" } ?? ""), token: key)
        }
        let healthz: @Sendable () async throws -> String? = { try await client.get("/healthz", token: nil) }

        var report: [String: Double] = [:]
        report["point_read_bytes"] = Double(try await client.size("\(people)/\(ids[0])", token: key))
        report["page_bytes"] = Double(try await client.size("\(people)?limit=50", token: key))
        for (name, request) in [("healthz", healthz), ("point_read", point), ("page", page)] {
            _ = try await Load.closed(clients: plan.connections, for: plan.warmup, request)
            let outcome = try await Load.closed(clients: plan.connections, for: plan.seconds, request)
            try check(outcome, name, children)
            report.merge(outcome.figures(name)) { $1 }
        }
        for (name, rate, request) in [("point_read", plan.pointRate, point), ("page", plan.pageRate, page)] {
            let run = "\(name)_at_\(rate)_per_second"
            _ = try await Load.fixedRate(rate, for: plan.warmup, inFlightLimit: Self.inFlightLimit, request)
            let outcome = try await Load.fixedRate(rate, for: plan.seconds, inFlightLimit: Self.inFlightLimit, request)
            try check(outcome, run, children)
            report.merge(outcome.figures(run)) { $1 }
        }
        return report
    }

    /// Fails when a process died, nothing was answered, or more than 1% of the answers were not a 200.
    func check(_ outcome: LoadOutcome, _ name: String, _ children: Children) throws {
        try children.checkAlive()
        guard !outcome.latencies.isEmpty else { throw BenchmarkFailure("\(name): no request was answered") }
        guard Double(outcome.failed) <= Double(outcome.latencies.count) * Self.failureShare else {
            throw BenchmarkFailure(
                "\(name): \(outcome.failed) of \(outcome.latencies.count) answers were not a 200, the first: \(outcome.firstFailure ?? "?")")
        }
    }

    static func queryEscape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? value
    }

    // MARK: Processes and the database

    func start(_ role: String, port: Int) throws -> Process {
        try BenchmarkSupport.start(
            role, binary: URL(fileURLWithPath: plan.binary), db: db,
            environment: [
                "DATABASE_POOL_SIZE": "20", "USERSYNC_OPERATOR_TOKEN": Self.operatorToken, "USERSYNC_HTTP_PORT": String(port),
                "USERSYNC_ALLOW_INSECURE_PLATFORM_URLS": "true", "USERSYNC_WORKER_CONCURRENCY": "16",
                "USERSYNC_PUBLIC_URL": "http://127.0.0.1:\(port)",
            ],
            logLevel: ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "error")
    }

    /// Asks the processes to stop, and kills the ones still running after a few seconds.
    static func stop(_ processes: [Process]) {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while processes.contains(where: \.isRunning), Date() < deadline { usleep(50_000) }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes { process.waitUntilExit() }
    }

    /// Polls `condition` until it holds; fails once `deadline` has passed.
    func waitUntil(_ what: String, deadline: Duration, _ condition: () async throws -> Bool) async throws {
        let started = ContinuousClock.now
        while try await !condition() {
            guard ContinuousClock.now - started < deadline else {
                throw BenchmarkFailure("gave up after \(Int(deadline.seconds)) s waiting until \(what)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The organization's syncs the worker has not carried out yet (a link waiting for its person
    /// is carried out), and its sync jobs not finished.
    func busy(_ org: UUID) async throws -> Int64 {
        let rows = try await db.admin.client.query(
            """
            SELECT (SELECT count(*) FROM syncs WHERE org_id = \(org) AND status = 'pending' AND cause IS DISTINCT FROM 'awaiting_user_consent')
                 + (SELECT count(*) FROM jobs WHERE org_id = \(org) AND kind = 'sync.run' AND state IN ('queued', 'running'))
            """, logger: db.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    func count(_ sql: String) async throws -> Int64 {
        let rows = try await db.admin.client.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    /// The measured organization's syncs by status and cause.
    func statuses() async throws -> [(String, Int64)] {
        let rows = try await db.admin.client.query(
            """
            SELECT status || coalesce(':' || cause, ''), count(*) FROM syncs
            WHERE org_id = (SELECT id FROM organizations WHERE slug = \(Self.organization)) GROUP BY 1
            """, logger: db.logger)
        var result: [(String, Int64)] = []
        for try await row in rows.decode((String, Int64).self) { result.append(row) }
        return result
    }
}

// MARK: Load

// MARK: The client

/// The child processes, to say which one died when the service stops answering.
struct Children: Sendable {
    let serve: Process
    let work: Process

    func checkAlive() throws {
        for (role, process) in [("serve", serve), ("work", work)] where !process.isRunning {
            throw BenchmarkFailure("usersync \(role) exited with status \(process.terminationStatus); run with BENCH_LOG_LEVEL=info to see why")
        }
    }
}
