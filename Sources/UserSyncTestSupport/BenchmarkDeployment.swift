import Foundation
import PostgresNIO
import UserSyncDomain

#if canImport(Glibc)
    import Glibc
#endif

/// A real `usersync serve` and `usersync work` against a benchmark's test database, with the
/// simulated platforms, and the organization the API and console benchmarks measure: created,
/// the four platforms connected and imported (every Teams and Webex team selected), primaries
/// chosen, some people synced onto Teams.
public struct BenchmarkDeployment: Sendable {
    public static let organization = "bench"
    public static let operatorToken = String(repeating: "d", count: 40)
    /// Last names whose people are synced onto Teams: each is about one person in 30.
    public static let syncedNames = ["lovelace", "hopper", "knuth"]

    public let db: TestDatabase
    public let platforms: SimulatedPlatforms
    public let serve: SessionProcess
    public let work: SessionProcess
    public let base: String
    /// Imports and syncs take longer the larger the organization.
    let setupDeadline: Duration

    /// Starts both processes on a free port and waits until `serve` is ready; `environment` adds
    /// or overrides variables of both.
    public static func start(
        db: TestDatabase, platforms: SimulatedPlatforms, binary: String, people: Int, environment extra: [String: String] = [:]
    ) async throws -> BenchmarkDeployment {
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let environment = [
            "DATABASE_POOL_SIZE": "20", "USERSYNC_OPERATOR_TOKEN": operatorToken, "USERSYNC_HTTP_PORT": String(port),
            "USERSYNC_WORKER_CONCURRENCY": "16",
            "USERSYNC_PUBLIC_URL": "http://127.0.0.1:\(port)",
        ].merging(extra) { $1 }
        let logLevel = ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "error"
        let start = { (role: String) in
            try BenchmarkSupport.start(role, binary: URL(fileURLWithPath: binary), db: db, environment: environment, logLevel: logLevel)
        }
        let serve = try start("serve")
        let work: SessionProcess
        do { work = try start("work") } catch {
            ChildProcess.stop(serve, name: "usersync serve", within: .seconds(60))
            throw error
        }
        let deployment = BenchmarkDeployment(
            db: db, platforms: platforms, serve: serve, work: work, base: "http://127.0.0.1:\(port)",
            setupDeadline: .seconds(180 + people / 50))
        do {
            try await deployment.api.waitUntilReady()
        } catch {
            deployment.stop()
            throw error
        }
        return deployment
    }

    public var api: BenchmarkClient { BenchmarkClient(base: base, alive: checkAlive) }

    public var allRunning: Bool { serve.isRunning && work.isRunning }

    /// Throws, saying which, when `serve` or `work` has exited.
    @Sendable public func checkAlive() throws {
        for (role, process) in [("serve", serve), ("work", work)] where !process.isRunning {
            throw BenchmarkFailure("usersync \(role) exited with status \(process.terminationStatus); run with BENCH_LOG_LEVEL=info to see why")
        }
    }

    /// Asks both processes to stop, and kills (saying so) the ones still running after a minute.
    public func stop() { ChildProcess.stop([(serve, "usersync serve"), (work, "usersync work")], within: .seconds(60)) }

    // MARK: The measured organization

    /// Creates the organization, connects and imports all four platforms, chooses primaries (Slack,
    /// then Teams), syncs the ``syncedNames`` people onto Teams and waits for the worker; returns
    /// an admin API key named `keyName`.
    public func prepareOrganization(keyName: String) async throws -> String {
        let org = Self.organization, token = Self.operatorToken, api = api
        let orgID = try await api.call(.POST, "/v1/orgs", token: token, body: #"{"slug":"\#(org)","name":"Bench"}"#)["id"] as! String
        var connections: [Platform: String] = [:]
        for platform in Platform.allCases {
            let connection =
                try await api.call(
                    .POST, "/v1/orgs/\(org)/connections", token: token, body: platforms.connectionBody(platform, organization: org))["id"] as! String
            if platform.importsSelectedTeams { try await selectAllTeams(connection) }
            connections[platform] = connection
        }
        var runs: [Platform: String] = [:]
        for (platform, connection) in connections {
            runs[platform] = try await api.call(.POST, "/v1/orgs/\(org)/connections/\(connection)/imports", token: token)["id"] as? String
        }
        try await waitUntil("every import succeeded") {
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
        for name in Self.syncedNames {
            _ = try await api.call(
                .POST, "/v1/orgs/\(org)/syncs", token: token, body: #"{"connection_id":"\#(connections[.teams]!)","filter":{"q":"\#(name)"}}"#)
        }
        try await waitUntil("the worker carried out every sync") { try await busy(UUID(uuidString: orgID)!) == 0 }
        let key = #"{"name":"\#(keyName)","role":"admin"}"#
        return try await api.call(.POST, "/v1/orgs/\(org)/keys", token: token, body: key)["secret"] as! String
    }

    func selectAllTeams(_ connection: String) async throws {
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

    /// `value` escaped for a query string.
    public static func queryEscape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? value
    }

    /// Polls `condition` until it holds; fails once the setup's deadline has passed.
    func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        try await waitUntil(what, within: setupDeadline, condition)
    }

    // MARK: Reading the database

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

    /// A count, as the superuser.
    public func count(_ sql: String) async throws -> Int64 {
        let rows = try await db.admin.client.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    /// The measured organization's syncs by status and cause, as report entries `syncs_<status>:<cause>`.
    public func syncStatuses() async throws -> [String: Double] {
        let rows = try await db.admin.client.query(
            """
            SELECT status || coalesce(':' || cause, ''), count(*) FROM syncs
            WHERE org_id = (SELECT id FROM organizations WHERE slug = \(Self.organization)) GROUP BY 1
            """, logger: db.logger)
        var result: [String: Double] = [:]
        for try await (status, count) in rows.decode((String, Int64).self) { result["syncs_\(status)"] = Double(count) }
        return result
    }
}
