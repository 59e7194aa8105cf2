import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Auto Sync at scale through real `usersync serve` and `usersync work` processes, with the
/// simulator in this process, printing figures as JSON:
/// - an Entra group of `--members` people: from creating its policy to its first run recorded,
///   every sync it starts created and queued (the Graph delta's first round over the whole group,
///   the plan, and the apply, in the worker);
/// - then `--changes` membership changes upstream (half leave, half join): from asking for a run
///   to the run that applies them recorded (the delta round, the plan, the apply);
/// - then SCIM group membership PATCHes (add, then remove by filter) from concurrent clients, on a
///   group with an enabled policy: requests per second and latency.
/// A program, not a test; run it through `scripts/bench-autosync`.
@main
struct AutoSyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "usersync-autosync-bench", abstract: "Measure Auto Sync plans and applies.")

    @Option(help: "Members of the Entra group.") var members = 50_000
    @Option(help: "Membership changes after the first run (half leave, half join).") var changes = 1_000
    @Option(help: "SCIM users whose group memberships the SCIM phase adds and removes.") var scimUsers = 200
    @Option(help: "Concurrent SCIM clients.") var scimClients = 16
    @Option(help: "Seconds of SCIM membership PATCHes.") var scimSeconds = 10
    @Option(help: "The usersync binary that serves and works.") var usersync = ".build/release/usersync"
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func run() async throws {
        let members = smoke ? 60 : self.members, changes = smoke ? 10 : self.changes, binary = usersync
        let scim = (users: smoke ? 4 : scimUsers, clients: smoke ? 2 : scimClients, seconds: smoke ? 1 : scimSeconds)
        let report = try await withTestDatabase { db in
            try await SimulatedPlatforms.run { platforms in
                try await Bench(db: db, platforms: platforms, binary: binary).measure(members: members, changes: changes, scim: scim)
            }
        }
        try BenchmarkSupport.print(report)
    }
}

struct Bench: Sendable {
    let db: TestDatabase
    let platforms: SimulatedPlatforms
    let binary: String
    static let operatorToken = String(repeating: "c", count: 40)

    func measure(members: Int, changes: Int, scim: (users: Int, clients: Int, seconds: Int)) async throws -> [String: Double] {
        // About half the simulator's people are Teams members imported through its teams; the spare
        // ones join the group later.
        let size = Int(Double(members + changes) / 0.4) + 100
        _ = platforms.simulator.createOrganization(name: "bench", seed: 3, size: size)
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range
        let processes = try ["serve", "work"].map { role in
            try BenchmarkSupport.start(
                role, binary: URL(fileURLWithPath: binary), db: db,
                environment: [
                    "DATABASE_POOL_SIZE": "20", "USERSYNC_OPERATOR_TOKEN": Self.operatorToken, "USERSYNC_HTTP_PORT": String(port),
                    "USERSYNC_AUTO_SYNC_SWEEP_SECONDS": "1",
                ],
                logLevel: ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"] ?? "error")
        }
        defer {
            for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let api = BenchmarkClient(base: "http://127.0.0.1:\(port)")
        try await api.waitUntilReady()
        let token = Self.operatorToken
        _ = try await api.call(.POST, "/v1/orgs", token: token, body: #"{"slug":"bench","name":"Bench"}"#)
        var connections: [Platform: String] = [:]
        for platform in [Platform.teams, .slack] {
            let body = String(
                decoding: try JSONEncoder().encode(
                    platforms.simulator.summary(organization: "bench")!.usersyncConnection(platform, base: platforms.baseURL)), as: UTF8.self)
            connections[platform] = try await api.call(.POST, "/v1/orgs/bench/connections", token: token, body: body)["id"] as? String
        }
        let teams = connections[.teams]!, slack = connections[.slack]!
        // Teams imports the members of selected teams: select them all.
        var selected: [String] = []
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET, "/v1/orgs/bench/connections/\(teams)/teams/available" + (cursor.map { "?cursor=\(BenchmarkDeployment.queryEscape($0))" } ?? ""),
                token: token)
            selected += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["platform_team_id"] as? String }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        let selection = String(decoding: try JSONSerialization.data(withJSONObject: ["select": selected]), as: UTF8.self)
        _ = try await api.call(.POST, "/v1/orgs/bench/connections/\(teams)/teams/selection", token: token, body: selection)
        let importRun = try await api.call(.POST, "/v1/orgs/bench/connections/\(teams)/imports", token: token)["id"] as! String
        try await waitUntil("the Teams import finished", deadline: .seconds(900)) {
            let state = try await api.call(.GET, "/v1/orgs/bench/imports/\(importRun)", token: token)["state"] as? String
            guard state != "failed" else { throw BenchmarkFailure("the Teams import failed") }
            return state == "succeeded"
        }

        // The group upstream: `members` Teams users; `changes / 2` more wait to join.
        let users = try await teamsUsers(connection: teams)
        guard users.count >= members + changes / 2 else { throw BenchmarkFailure("only \(users.count) Teams users; raise the size") }
        let group = platforms.simulator.createGroup(organization: "bench", displayName: "Everyone")!
        _ = platforms.simulator.addGroupMembers(organization: "bench", groupID: group, userIDs: Array(users[0..<members]))

        let policyBody = #"""
            {"name":"Everyone","group":{"source":"entra","connection_id":"\#(teams)","id":"\#(group)"},"primary_connection_id":"\#(teams)",
             "secondary_connection_ids":["\#(slack)"],"removal_hold":{}}
            """#
        let started = ContinuousClock.now
        let policy = try await api.call(.POST, "/v1/orgs/bench/auto-sync/policies", token: token, body: policyBody)["id"] as! String
        let first = try await nextRun(api, policy: policy, after: nil)
        let firstSeconds = (ContinuousClock.now - started).seconds
        let firstPoll = try await longestPollSeconds()

        // Let the worker carry out the syncs before the delta, so that it measures the delta alone.
        let drainStarted = ContinuousClock.now
        try await waitUntil("the worker carried out the first run's syncs", deadline: .seconds(1_800)) {
            try await count("SELECT count(*) FROM jobs WHERE kind = 'sync.run' AND state IN ('queued', 'running')") == 0
        }
        let drainSeconds = (ContinuousClock.now - drainStarted).seconds

        // The delta: half the changes leave, half join.
        let leaving = users[0..<(changes / 2)], joining = users[members..<(members + changes - changes / 2)]
        for user in leaving { platforms.simulator.removeGroupMember(organization: "bench", groupID: group, userID: user) }
        _ = platforms.simulator.addGroupMembers(organization: "bench", groupID: group, userIDs: Array(joining))
        let deltaStarted = ContinuousClock.now
        _ = try await api.call(.POST, "/v1/orgs/bench/auto-sync/policies/\(policy)/runs", token: token)
        let delta = try await nextRun(api, policy: policy, after: first["id"] as? String) { run in
            let counts = run["counts"] as? [String: Int] ?? [:]
            return (counts["removals"] ?? 0) + (counts["starts"] ?? 0) + (counts["skips"] ?? 0) > 0
        }
        let deltaSeconds = (ContinuousClock.now - deltaStarted).seconds
        let counts = { (run: [String: Any], name: String) in Double((run["counts"] as? [String: Int])?[name] ?? -1) }
        // The delta's removals and syncs are carried out before the SCIM phase, so that it measures SCIM alone.
        try await waitUntil("the worker carried out the delta's jobs", deadline: .seconds(1_800)) {
            try await count("SELECT count(*) FROM jobs WHERE state = 'running' OR (state = 'queued' AND run_at <= now())") == 0
        }
        let scimFigures = try await measureScim(
            base: "http://127.0.0.1:\(port)", users: scim.users, clients: scim.clients, seconds: scim.seconds, primary: teams, onto: slack)
        return [
            "members": Double(members), "first_run_seconds_to_all_syncs_queued": firstSeconds,
            "first_run_primaries": counts(first, "primaries"), "first_run_starts": counts(first, "starts"),
            "first_run_skips": counts(first, "skips"), "first_run_not_on_any_platform": counts(first, "not_on_any_platform"),
            "first_poll_job_seconds": firstPoll,
            "worker_seconds_to_carry_out_first_run_syncs": drainSeconds,
            "changes": Double(changes), "delta_seconds_to_applied": deltaSeconds,
            "delta_removals": counts(delta, "removals"), "delta_starts": counts(delta, "starts"),
            "worker_peak_rss_mib": BenchmarkSupport.peakResidentMiB(processes[1].processIdentifier),
        ].merging(scimFigures) { $1 }.mapValues { ($0 * 1000).rounded() / 1000 }
    }

    /// The policy's newest run once it is not `after`'s (and meets `needing`).
    func nextRun(
        _ api: BenchmarkClient, policy: String, after previous: String?, needing: ([String: Any]) -> Bool = { _ in true }
    ) async throws -> [String: Any] {
        let end = ContinuousClock.now + .seconds(900)
        while ContinuousClock.now < end {
            let page = try await api.call(.GET, "/v1/orgs/bench/auto-sync/runs?policy_id=\(policy)&limit=1", token: Self.operatorToken)
            if let run = (page["items"] as? [[String: Any]])?.first, run["id"] as? String != previous, needing(run) { return run }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("the policy's run was not recorded within 900 seconds")
    }

    /// How long the worker's longest poll job took so far (the first round over the whole group).
    func longestPollSeconds() async throws -> Double {
        let rows = try await db.admin.client.query(
            """
            SELECT extract(epoch FROM max(finished_at - started_at))::float8 FROM jobs
            WHERE kind = 'auto_sync.poll' AND state = 'succeeded'
            """, logger: db.logger)
        for try await value in rows.decode(Double?.self) { return value ?? -1 }
        return -1
    }

    func teamsUsers(connection: String) async throws -> [String] {
        let rows = try await db.admin.client.query(
            """
            SELECT platform_user_id FROM platform_accounts
            WHERE connection_id = \(UUID(uuidString: connection)!) AND active ORDER BY platform_user_id
            """, logger: db.logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    func count(_ sql: String) async throws -> Int64 {
        let rows = try await db.admin.client.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    func waitUntil(_ what: String, deadline: Duration, _ condition: @Sendable () async throws -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("\(what): not within \(deadline)")
    }
}
