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
    /// Pages of 50 whose cursors the page runs choose from (and the first page).
    static let pages = 50
    /// Requests a fixed-rate run keeps in flight at most; a request due beyond it is missed.
    static let inFlightLimit = 64
    /// The share of answers other than a 200 beyond which a run fails.
    static let failureShare = 0.01

    func measure() async throws -> [String: Double] {
        var report: [String: Double] = [:]
        if plan.others > 0 {
            let started = ContinuousClock.now
            try await db.fillOtherOrganizations(count: plan.others, people: plan.otherSize)
            report["fill_others_seconds"] = (ContinuousClock.now - started).seconds
        }
        _ = platforms.simulator.createOrganization(name: BenchmarkDeployment.organization, seed: 5, size: plan.people)
        let deployment = try await BenchmarkDeployment.start(db: db, platforms: platforms, binary: plan.binary, people: plan.people)
        defer { deployment.stop() }
        let api = deployment.api

        let setupStarted = ContinuousClock.now
        let key = try await deployment.prepareOrganization(keyName: "api bench")
        let ids = try await personIDs(api, key: key)
        let cursors = try await pageCursors(api, key: key)
        let paths = Paths(ids: ids, cursors: cursors)
        report["setup_seconds"] = (ContinuousClock.now - setupStarted).seconds
        // The serve process's peak from the setup's API calls alone, to tell the measured requests' own apart.
        report["serve_peak_rss_mib_before_measuring"] = BenchmarkSupport.peakResidentMiB(deployment.serve.processIdentifier)

        let measured = try await LoadClient.with(base: deployment.base, connections: Self.inFlightLimit, alive: deployment.checkAlive) {
            client in try await requests(client, deployment, key: key, paths: paths)
        }
        report.merge(measured) { $1 }
        report.merge(try await throughputByWrk(deployment, key: key, paths: paths)) { $1 }
        report["people"] = Double(plan.people)
        report["people_in_directory"] = Double(ids.count)
        report["page_cursors"] = Double(cursors.count)
        report["others"] = Double(plan.others)
        report["other_size"] = Double(plan.otherSize)
        report["people_in_database"] = Double(try await deployment.count("SELECT count(*) FROM people"))
        report["connections"] = Double(plan.connections)
        report["seconds_each"] = plan.seconds.seconds
        report["warmup_seconds_each"] = plan.warmup.seconds
        report["serve_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(deployment.serve.processIdentifier)
        report["work_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(deployment.work.processIdentifier)
        report.merge(try await deployment.syncStatuses()) { $1 }
        return report.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    // MARK: What the runs read

    func personIDs(_ api: BenchmarkClient, key: String) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET,
                "/v1/orgs/\(BenchmarkDeployment.organization)/people?limit=200"
                    + (cursor.map { "&cursor=\(BenchmarkDeployment.queryEscape($0))" } ?? ""), token: key)
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
                .GET, "/v1/orgs/\(BenchmarkDeployment.organization)/people?limit=50" + (cursor.map { "&cursor=\($0)" } ?? ""), token: key)
            cursor = (page["next_cursor"] as? String).map(BenchmarkDeployment.queryEscape)
            if let cursor { cursors.append(cursor) }
        } while cursor != nil && cursors.count < Self.pages
        return cursors
    }

    // MARK: Measuring

    /// The measured requests' paths: a point read per person, and the first page of 50 and the
    /// pages after it that the cursors lead to.
    struct Paths: Sendable {
        let points: [String]
        let pages: [String]

        init(ids: [String], cursors: [String]) {
            let people = "/v1/orgs/\(BenchmarkDeployment.organization)/people"
            points = ids.map { "\(people)/\($0)" }
            pages = ([nil] + cursors).map { "\(people)?limit=50" + ($0.map { "&cursor=\($0)" } ?? "") }
        }
    }

    func requests(_ client: LoadClient, _ deployment: BenchmarkDeployment, key: String, paths: Paths) async throws -> [String: Double] {
        let point: @Sendable () async throws -> String? = { try await client.get(paths.points.randomElement()!, token: key) }
        let page: @Sendable () async throws -> String? = { try await client.get(paths.pages.randomElement()!, token: key) }
        let healthz: @Sendable () async throws -> String? = { try await client.get("/healthz", token: nil) }

        var report: [String: Double] = [:]
        report["point_read_bytes"] = Double(try await client.size(paths.points[0], token: key))
        report["page_bytes"] = Double(try await client.size(paths.pages[0], token: key))
        for (name, request) in [("healthz", healthz), ("point_read", point), ("page", page)] {
            _ = try await Load.closed(clients: plan.connections, for: plan.warmup, request)
            let outcome = try await Load.closed(clients: plan.connections, for: plan.seconds, request)
            try check(outcome, name, deployment)
            report.merge(outcome.figures(name)) { $1 }
        }
        for (name, rate, request) in [("point_read", plan.pointRate, point), ("page", plan.pageRate, page)] {
            let run = "\(name)_at_\(rate)_per_second"
            _ = try await Load.fixedRate(rate, for: plan.warmup, inFlightLimit: Self.inFlightLimit, request)
            let outcome = try await Load.fixedRate(rate, for: plan.seconds, inFlightLimit: Self.inFlightLimit, request)
            try check(outcome, run, deployment)
            report.merge(outcome.figures(run)) { $1 }
        }
        return report
    }

    /// The closed-loop runs again, driven by `wrk` when it is installed (`scripts/bench-api`
    /// installs it): the Swift client spends about as much CPU per request as a light route
    /// does, and shares the cores with the server, so its throughput says as much about itself.
    /// With `wrk` the only client, each run also prints the CPU milliseconds `serve` and
    /// PostgreSQL spent per request (`cpu_ms_per_request_<process>_<run>`): where a request's
    /// cost lies, which the rate alone does not say.
    func throughputByWrk(_ deployment: BenchmarkDeployment, key: String, paths: Paths) async throws -> [String: Double] {
        guard let wrk = Wrk.find() else { return ["wrk_available": 0] }
        let authorized = ["Authorization": "Bearer \(key)"]
        let runs: [(String, [String], [String: String])] = [
            ("wrk_healthz", ["/healthz"], [:]), ("wrk_point_read", paths.points, authorized), ("wrk_page", paths.pages, authorized),
        ]
        var report: [String: Double] = ["wrk_available": 1]
        for (name, paths, headers) in runs {
            _ = try wrk.run(
                base: deployment.base, paths: paths, headers: headers, connections: plan.connections, seconds: max(1, Int(plan.warmup.seconds)))
            let before = try await CPUSample.now(serve: deployment.serve.processIdentifier, work: [deployment.work.processIdentifier], db: db)
            let outcome = try wrk.run(
                base: deployment.base, paths: paths, headers: headers, connections: plan.connections, seconds: max(1, Int(plan.seconds.seconds)))
            let used = try await CPUSample.now(serve: deployment.serve.processIdentifier, work: [deployment.work.processIdentifier], db: db)
                .since(before)
            try deployment.checkAlive()
            guard Double(outcome.failed) <= Double(max(1, outcome.requests)) * Self.failureShare else {
                throw BenchmarkFailure("\(name): \(outcome.failed) of \(outcome.requests) requests failed or were not answered 2xx")
            }
            report.merge(outcome.figures(name)) { $1 }
            for process in ["serve", "postgres"] {
                report["cpu_ms_per_request_\(process)_\(name.dropFirst("wrk_".count))"] = CPUSample.milliseconds(
                    of: process, per: outcome.requests, in: used)
            }
        }
        return report
    }

    /// Fails when a process died, nothing was answered, or more than 1% of the answers were not a 200.
    func check(_ outcome: LoadOutcome, _ name: String, _ deployment: BenchmarkDeployment) throws {
        try deployment.checkAlive()
        guard !outcome.latencies.isEmpty else { throw BenchmarkFailure("\(name): no request was answered") }
        guard Double(outcome.failed) <= Double(outcome.latencies.count) * Self.failureShare else {
            throw BenchmarkFailure(
                "\(name): \(outcome.failed) of \(outcome.latencies.count) answers were not a 200, the first: \(outcome.firstFailure ?? "?")")
        }
    }
}
