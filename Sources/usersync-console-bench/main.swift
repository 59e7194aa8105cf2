import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization
import UserSyncDomain
import UserSyncPersistence
import UserSyncSimulator
import UserSyncTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Measures the console's Sync users page (`GET /console/{org}/people`) of a large organization
/// through real `usersync serve` and `usersync work` processes, with the simulator in this
/// process, and prints figures as JSON: the latency of the first page, of a page far down the
/// list and of a filtered page, seen by clients signed in with an admin API key. The organization
/// is imported from all four platforms, primaries are chosen and a few thousand people are
/// synced onto Teams first, so rows show primaries and sync statuses. A program, not a test; run
/// it through `scripts/bench-console`.
@main
struct ConsoleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-console-bench", abstract: "Measure the console's Sync users page of a large organization.")

    @Option(help: "People in the simulated organization.") var people = 50_000
    @Option(help: "Requests of each page measured (first, deep, filtered).") var requests = 300
    @Option(help: "Requests of each page sent before measuring.") var warmup = 20
    @Option(help: "Pages the deep page is down the list (or the last page, when there are fewer).") var depth = 200
    @Option(help: "Clients requesting at once (1: one after the other).") var concurrency = 1
    @Option(help: "The usersync binary that serves and works.") var usersync = ".build/release/usersync"
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func validate() throws {
        guard people > 0, requests > 0, warmup >= 0, depth >= 0, concurrency >= 1 else {
            throw ValidationError("--people and --requests must be positive, --warmup and --depth not negative, --concurrency at least 1")
        }
    }

    func run() async throws {
        let plan = Plan(
            people: smoke ? 300 : people, requests: smoke ? 10 : requests, warmup: smoke ? 2 : warmup, depth: smoke ? 200 : depth,
            concurrency: concurrency, binary: usersync)
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
    let requests: Int
    let warmup: Int
    let depth: Int
    let concurrency: Int
    let binary: String
}

struct Bench: Sendable {
    let db: TestDatabase
    let platforms: SimulatedPlatforms
    let plan: Plan
    /// What every Sync users page must hold.
    static let table = #"<table class="table people""#

    func measure() async throws -> [String: Double] {
        _ = platforms.simulator.createOrganization(name: BenchmarkDeployment.organization, seed: 5, size: plan.people)
        let deployment = try await BenchmarkDeployment.start(db: db, platforms: platforms, binary: plan.binary, people: plan.people)
        defer { deployment.stop() }

        let setupStarted = ContinuousClock.now
        let key = try await deployment.prepareOrganization(keyName: "console bench")
        var report: [String: Double] = [
            "setup_seconds": (ContinuousClock.now - setupStarted).seconds,
            // The serve process's peak from the setup's API calls alone, to tell the pages' own apart.
            "serve_peak_rss_mib_before_pages": BenchmarkSupport.peakResidentMiB(deployment.serve.processIdentifier),
        ]

        let measured = try await withConsoleClient(deployment) { console in
            try await console.signIn(apiKey: key)
            return try await pages(console)
        }
        report.merge(measured) { $1 }
        report["people"] = Double(plan.people)
        report["people_in_directory"] = Double(try await deployment.count("SELECT count(*) FROM people"))
        report["concurrency"] = Double(plan.concurrency)
        report["requests_each"] = Double(plan.requests)
        report["warmup_each"] = Double(plan.warmup)
        report["serve_peak_rss_mib"] = BenchmarkSupport.peakResidentMiB(deployment.serve.processIdentifier)
        report.merge(try await deployment.syncStatuses()) { $1 }
        return report.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    func pages(_ console: ConsoleClient) async throws -> [String: Double] {
        let list = "/console/\(BenchmarkDeployment.organization)/people"
        var report: [String: Double] = [:]
        let first = try await console.page(list)
        report["first_page_bytes"] = Double(first.utf8.count)
        report["page_size"] = Double(Self.rows(first))

        // Down the list by its own "Next page" links, as an admin would click.
        var deep = list, html = first, depth = 0
        while depth < plan.depth, let next = Self.nextLink(html) {
            deep = next
            html = try await console.page(deep)
            depth += 1
        }
        report["deep_page_depth"] = Double(depth)
        report["deep_page_bytes"] = Double(html.utf8.count)

        let filtered = "\(list)?sync_status=not_created&sync_platform=teams"
        let filteredHTML = try await console.page(filtered)
        report["filtered_page_bytes"] = Double(filteredHTML.utf8.count)
        report["filtered_page_rows"] = Double(Self.rows(filteredHTML))

        for (name, path) in [("first_page", list), ("deep_page", deep), ("filtered_page", filtered)] {
            _ = try await requestAll(path, count: plan.warmup, console)
            let (latencies, seconds) = try await requestAll(path, count: plan.requests, console)
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            report["\(name)_p50_ms"] = percentile(0.5)
            report["\(name)_p90_ms"] = percentile(0.9)
            report["\(name)_p99_ms"] = percentile(0.99)
            report["\(name)_max_ms"] = sorted.last!
            report["\(name)_requests_per_second"] = Double(sorted.count) / seconds
        }
        return report
    }

    /// Sends `count` requests of `path` from `plan.concurrency` clients; returns each one's
    /// latency in milliseconds and the wall time of them all in seconds.
    func requestAll(_ path: String, count: Int, _ console: ConsoleClient) async throws -> ([Double], Double) {
        let remaining = Countdown(count), latencies = Samples()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(plan.concurrency, max(count, 1)) {
                group.addTask {
                    while remaining.take() {
                        let sent = ContinuousClock.now
                        _ = try await console.page(path)
                        let elapsed = (ContinuousClock.now - sent).seconds * 1_000
                        latencies.values.withLock { $0.append(elapsed) }
                    }
                }
            }
            try await group.waitForAll()
        }
        return (latencies.values.withLock { $0 }, (ContinuousClock.now - started).seconds)
    }

    /// The rows of people a Sync users page shows.
    static func rows(_ html: String) -> Int {
        html.components(separatedBy: #"<tr id="person-"#).count - 1
    }

    /// The target of the page's "Next page" link, unescaped; nil on the last page.
    static func nextLink(_ html: String) -> String? {
        guard let rel = html.range(of: #"" rel="next""#),
            let start = html.range(of: #"href=""#, options: .backwards, range: html.startIndex..<rel.lowerBound)
        else { return nil }
        return unescape(String(html[start.upperBound..<rel.lowerBound]))
    }

    static func unescape(_ text: String) -> String {
        [("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&#x2F;", "/"), ("&#47;", "/"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")]
            .reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}

/// Requests left to send, shared by the clients.
final class Countdown: Sendable {
    private let left: Mutex<Int>

    init(_ count: Int) { left = Mutex(count) }

    /// Whether there was one left to take.
    func take() -> Bool {
        left.withLock { left in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
    }
}

/// Runs `body` with a console client of its own (redirects not followed: the sign-in's answer
/// carries the session cookie), and shuts the client down afterwards.
func withConsoleClient<T: Sendable>(_ deployment: BenchmarkDeployment, _ body: (ConsoleClient) async throws -> T) async throws -> T {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let console = ConsoleClient(http: http, deployment: deployment)
    let result: Result<T, any Error>
    do { result = .success(try await body(console)) } catch { result = .failure(error) }
    try await http.shutdown()
    return try result.get()
}

/// A browser of the console, as far as the benchmark needs one: signs in with an API key and
/// fetches pages with the session cookie.
final class ConsoleClient: Sendable {
    let http: HTTPClient
    let deployment: BenchmarkDeployment
    private let session = Mutex<String?>(nil)

    init(http: HTTPClient, deployment: BenchmarkDeployment) {
        self.http = http
        self.deployment = deployment
    }

    var base: String { deployment.base }

    /// The sign-in page's form token and cookie, then the key form; keeps the session cookie.
    func signIn(apiKey: String) async throws {
        let (status, headers, html) = try await send(.GET, "/console/sign-in")
        guard status == .ok, let formCookie = Self.cookie("usersync_form", in: headers),
            let field = html.range(of: #"name="_form" value=""#),
            let end = html[field.upperBound...].firstIndex(of: "\"")
        else { throw BenchmarkFailure("GET /console/sign-in → \(status): no form token or no usersync_form cookie") }
        let token = String(html[field.upperBound..<end])
        let form = "_form=\(Self.formEscape(token))&api_key=\(Self.formEscape(apiKey))"
        let (answer, answerHeaders, text) = try await send(
            .POST, "/console/sign-in/key", cookie: "usersync_form=\(formCookie)", form: form)
        guard answer == .seeOther, let value = Self.cookie("usersync_session", in: answerHeaders) else {
            throw BenchmarkFailure("POST /console/sign-in/key → \(answer), expected 303 with a usersync_session cookie: \(text.prefix(500))")
        }
        session.withLock { $0 = value }
    }

    /// A Sync users page: fails unless it is a 200 with the people table.
    func page(_ path: String) async throws -> String {
        guard let value = session.withLock({ $0 }) else { throw BenchmarkFailure("not signed in to the console") }
        let (status, _, html) = try await send(.GET, path, cookie: "usersync_session=\(value)")
        guard status == .ok, html.contains(Bench.table) else {
            throw BenchmarkFailure("GET \(path) → \(status) without the people table: \(html.prefix(800))")
        }
        return html
    }

    func send(_ method: HTTPMethod, _ path: String, cookie: String? = nil, form: String? = nil) async throws -> (
        HTTPResponseStatus, HTTPHeaders, String
    ) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (response.status, response.headers, String(buffer: body))
        } catch {
            // A request that failed because a process died: say which one (its exit is noticed a
            // moment later).
            for _ in 0..<10 where deployment.allRunning { try await Task.sleep(for: .milliseconds(100)) }
            try deployment.checkAlive()
            throw BenchmarkFailure("\(method) \(path) failed: \(error)")
        }
    }

    /// The value a `Set-Cookie` header gives `name`, unless it clears it.
    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for line in headers["Set-Cookie"] where line.hasPrefix(name + "=") {
            let value = line.dropFirst(name.count + 1).prefix { $0 != ";" }
            if !value.isEmpty { return String(value) }
        }
        return nil
    }

    static func formEscape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }
}
