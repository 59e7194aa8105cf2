import Foundation
import PostgresNIO
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// The organization the conversations run in.
struct RelaySetup: Sendable {
    /// An admin API key of the organization.
    let key: String
    let pairs: [Pair]
    /// `syncs_<status>:<cause>` counts once the syncs settled.
    let syncStatuses: [String: Double]
}

extension RelayBench {
    /// Creates the organization, connects and imports Slack and Teams, syncs the Slack-only people
    /// of the conversations onto Teams and the Teams-only ones onto Slack (their stand-ins: a Teams
    /// guest, a Slack bot persona), waits for the worker, and points both platforms' events at
    /// `serve`.
    func prepare(_ deployment: BenchmarkDeployment) async throws -> RelaySetup {
        let org = Self.organization, token = BenchmarkDeployment.operatorToken, api = deployment.api
        let organizationID = try await api.call(.POST, "/v1/orgs", token: token, body: #"{"slug":"\#(org)","name":"Relay bench"}"#)["id"] as! String
        let key =
            try await api.call(.POST, "/v1/orgs/\(org)/keys", token: token, body: #"{"name":"relay bench","role":"admin"}"#)["secret"] as! String
        var connections: [Platform: String] = [:]
        var runs: [Platform: String] = [:]
        for platform in [Platform.slack, .teams] {
            let connection =
                try await api.call(.POST, "/v1/orgs/\(org)/connections", token: key, body: platforms.connectionBody(platform, organization: org))[
                    "id"]
                as! String
            if platform.importsSelectedTeams { try await selectAllTeams(api, connection: connection, key: key) }
            connections[platform] = connection
            runs[platform] = try await api.call(.POST, "/v1/orgs/\(org)/connections/\(connection)/imports", token: key)["id"] as? String
        }
        try await waitUntil("every import succeeded", deployment) {
            for (platform, run) in runs {
                let state = try await api.call(.GET, "/v1/orgs/\(org)/imports/\(run)", token: key)["state"] as? String
                guard state != "failed" else { throw BenchmarkFailure("the \(platform) import failed") }
                if state != "succeeded" { return false }
            }
            return true
        }

        let people = try await peopleOnOnePlatform(api, key: key)
        let slack = people[.slack] ?? [], teams = people[.teams] ?? []
        guard slack.count >= plan.conversations, teams.count >= plan.conversations else {
            throw BenchmarkFailure(
                "\(plan.people) people hold \(slack.count) Slack-only and \(teams.count) Teams-only people, fewer than "
                    + "\(plan.conversations) conversations need; give --people more")
        }
        let chosen = (slack: Array(slack.prefix(plan.conversations)), teams: Array(teams.prefix(plan.conversations)))
        for (onto, people) in [(Platform.teams, chosen.slack), (.slack, chosen.teams)] {
            let body = try JSONSerialization.data(withJSONObject: ["connection_id": connections[onto]!, "person_ids": people.map(\.id)])
            try await api.call(.POST, "/v1/orgs/\(org)/syncs", token: key, body: String(decoding: body, as: UTF8.self))
        }
        let organization = UUID(uuidString: organizationID)!
        try await waitUntil("the worker carried out every sync", deployment) { try await busySyncs(organization) == 0 }
        let statuses = try await deployment.syncStatuses()
        let synced = statuses.filter { $0.key.hasPrefix("syncs_synced") }.values.reduce(0, +)
        guard Int(synced) == 2 * plan.conversations else { throw BenchmarkFailure("not every stand-in was synced: \(statuses)") }

        // Each platform sends the connection's events to `serve` (Slack checks the URL first).
        for platform in [Platform.slack, .teams] {
            let url = "\(deployment.base)/events/\(platform.rawValue)/\(organizationID)/\(connections[platform]!)"
            do {
                try await platforms.simulator.setEventURL(organization: org, platform: platform, url: url, simulatorURL: platforms.baseURL)
            } catch {
                throw BenchmarkFailure("\(platform) did not take the event URL \(url): \(error)")
            }
        }
        let pairs = zip(chosen.slack, chosen.teams).enumerated().map { index, pair in
            Pair(index: index, slackUser: pair.0.user, teamsUser: pair.1.user, teamsEmail: pair.1.email)
        }
        return RelaySetup(key: key, pairs: pairs, syncStatuses: statuses)
    }

    /// One person with a single account, active and a member (not a guest), on one platform.
    struct Candidate: Sendable {
        let id: String
        let email: String
        let user: String
    }

    /// The people on Slack only and on Teams only, by email.
    func peopleOnOnePlatform(_ api: BenchmarkClient, key: String) async throws -> [Platform: [Candidate]] {
        var found: [Platform: [Candidate]] = [:]
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET, "/v1/orgs/\(Self.organization)/people?limit=200" + (cursor.map { "&cursor=\(BenchmarkDeployment.queryEscape($0))" } ?? ""),
                token: key)
            for person in page["items"] as? [[String: Any]] ?? [] {
                let accounts = person["accounts"] as? [[String: Any]] ?? []
                guard accounts.count == 1, let account = accounts.first, account["active"] as? Bool == true, account["guest"] as? Bool == false,
                    let platform = (account["platform"] as? String).flatMap(Platform.init(rawValue:)), platform == .slack || platform == .teams,
                    let id = person["id"] as? String, let email = person["email"] as? String, !email.isEmpty,
                    let user = account["platform_user_id"] as? String
                else { continue }
                found[platform, default: []].append(Candidate(id: id, email: email, user: user))
            }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        return found.mapValues { $0.sorted { $0.email < $1.email } }
    }

    func selectAllTeams(_ api: BenchmarkClient, connection: String, key: String) async throws {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await api.call(
                .GET,
                "/v1/orgs/\(Self.organization)/connections/\(connection)/teams/available"
                    + (cursor.map { "?cursor=\(BenchmarkDeployment.queryEscape($0))" } ?? ""), token: key)
            ids += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["platform_team_id"] as? String }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        let selection = String(decoding: try JSONSerialization.data(withJSONObject: ["select": ids]), as: UTF8.self)
        try await api.call(.POST, "/v1/orgs/\(Self.organization)/connections/\(connection)/teams/selection", token: key, body: selection)
    }

    /// Syncs of the organization the worker has not carried out yet, and its sync jobs not finished.
    func busySyncs(_ organization: UUID) async throws -> Int64 {
        let rows = try await db.admin.client.query(
            """
            SELECT (SELECT count(*) FROM syncs WHERE org_id = \(organization) AND status = 'pending')
                 + (SELECT count(*) FROM jobs WHERE org_id = \(organization) AND kind = 'sync.run' AND state IN ('queued', 'running'))
            """, logger: db.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    /// Polls `condition` until it holds; fails after five minutes, or at once when a process died.
    func waitUntil(_ what: String, _ deployment: BenchmarkDeployment, _ condition: () async throws -> Bool) async throws {
        try await deployment.waitUntil(what, within: .seconds(300), condition)
    }
}
