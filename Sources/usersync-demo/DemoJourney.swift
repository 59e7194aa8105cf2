import Foundation
import UserSyncSimulator

/// The demo's journey through the API, as an admin would take it: connect the four simulated
/// platforms, select every team on Teams and Webex, import them all, choose a primary platform
/// for everyone on several platforms, sync everyone onto every other platform, and wait for the
/// worker. Running it again against the same database reuses what is there.
struct DemoJourney {
    let api: DemoClient
    let simulator: DemoClient
    let organization: String
    let say: (String) -> Void

    static let platforms = ["slack", "teams", "zoom", "webex"]

    var org: String { "/v1/orgs/\(organization)" }

    /// The connection of each platform, connected now unless it was already.
    func connectAll() async throws -> [(platform: String, id: String)] {
        var connections: [(String, String)] = []
        for platform in Self.platforms {
            let existing: Page<Identified> = try await api.get("\(org)/connections?platform=\(platform)&include_disconnected=false")
            if let connection = existing.items.first {
                connections.append((platform, connection.id))
                continue
            }
            let credentials = try await simulator.send(.GET, "/_sim/orgs/\(organization)/usersync-connections/\(platform)").body
            let created: Identified = try DemoClient.decoder.decode(
                Identified.self, from: try await api.send(.POST, "\(org)/connections", json: String(decoding: credentials, as: UTF8.self)).body)
            connections.append((platform, created.id))
        }
        return connections
    }

    /// Selects every team of the connections that import by team, imports every connection and
    /// waits for the runs; returns how many people the organization has then.
    func importAll(_ connections: [(platform: String, id: String)]) async throws -> Int {
        var runs: [ImportRun] = []
        for (platform, connection) in connections {
            if platform == "teams" || platform == "webex" {
                let teams: [Team] = try await api.all("\(org)/connections/\(connection)/teams/available")
                struct Selection: Encodable { let select: [String] }
                let _: Page<Identified> = try await api.post(
                    "\(org)/connections/\(connection)/teams/selection", json: Selection(select: teams.map(\.platformTeamId)))
            }
            runs.append(try await api.post("\(org)/connections/\(connection)/imports"))
        }
        for run in runs {
            var latest = run
            let ended = try await waitUntil(.seconds(300)) {
                latest = try await api.get("\(org)/imports/\(run.id)")
                return latest.state == "succeeded" || latest.state == "failed"
            }
            say("    import \(run.id): \(latest.state)")
            guard ended, latest.state == "succeeded" else {
                throw DemoClient.Refused(description: "import \(run.id) did not succeed (\(latest.state))")
            }
        }
        return try await people().count
    }

    func people(_ query: String = "") async throws -> [Person] {
        try await api.all("\(org)/people?limit=200\(query.isEmpty ? "" : "&\(query)")")
    }

    /// Everyone waiting for a primary choice who is active on a platform gets it, in the order
    /// Slack, Teams, Webex, Zoom; returns how many are still undecided.
    func choosePrimaries() async throws -> Int {
        say(
            "==> choosing a primary platform for the \(try await people("needs_primary_choice=true").count) people on several platforms (Slack first, then Teams, Webex, Zoom)"
        )
        for platform in ["slack", "teams", "webex", "zoom"] {
            struct Choice: Encodable {
                struct Filter: Encodable { let needsPrimaryChoice = true, platforms: [String] }
                let platform: String
                let filter: Filter
            }
            let tally: Tally = try await api.post(
                "\(org)/people/primary", json: Choice(platform: platform, filter: .init(platforms: [platform])))
            say("    \(platform): \(tally.said)")
        }
        return try await people("needs_primary_choice=true").count
    }

    /// One bulk sync per connection, of everyone not deactivated.
    func syncEveryone(_ connections: [(platform: String, id: String)]) async throws {
        say("==> syncing everyone onto every other connected platform (one bulk request per platform)")
        for (platform, connection) in connections {
            struct Start: Encodable {
                struct Filter: Encodable { let deactivated = false }
                let connectionId: String
                let filter = Filter()
            }
            let tally: Tally = try await api.post("\(org)/syncs", json: Start(connectionId: connection))
            say("    onto \(platform): \(tally.said)")
        }
    }

    /// Every sync of the organization once none is the worker's to finish (3 minutes at most).
    func settledSyncs() async throws -> [Person.Sync] {
        var syncs: [Person.Sync] = []
        let settled = try await waitUntil(.seconds(180), every: .seconds(1)) {
            syncs = try await people().flatMap(\.syncs)
            return !syncs.contains(where: \.busy)
        }
        guard settled else {
            throw DemoClient.Refused(
                description: "after 3 minutes \(syncs.filter(\.busy).count) syncs are still being worked on; see \(org)/people?sync_status=pending")
        }
        return syncs
    }

    /// A consent link a bot delivered (a link to Teams preferred: Teams is the one platform whose
    /// authorize URL names the person, so the simulator's auto-approval knows whom to sign in).
    /// When this simulator delivered none (a run against an earlier database), one person still
    /// waiting gets a fresh link; their old one stops working.
    func consentMessage(_ syncs: [Person.Sync]) async throws -> SimMessage? {
        let delivered = {
            let messages: [SimMessage] = try await simulator.get("/_sim/orgs/\(organization)/messages")
            let prompts = messages.filter { $0.link?.contains("/consent/") == true }
            return prompts.last { $0.text.contains("Authorize UserSync on Microsoft Teams") } ?? prompts.last
        }
        if let message = try await delivered() { return message }
        let waiting = syncs.filter { $0.status == "pending" && $0.cause == "awaiting_user_consent" }
        guard let person = (waiting.first { $0.platform == "teams" } ?? waiting.first)?.personId else { return nil }
        _ = try await api.send(.POST, "\(org)/people/\(person)/reprompt", json: #"{"force":true}"#)
        var message: SimMessage?
        guard
            try await waitUntil(
                .seconds(20),
                {
                    message = try await delivered()
                    return message != nil
                })
        else {
            throw DemoClient.Refused(description: "person \(person) was reprompted, but no prompt reached the simulator within 20 s")
        }
        return message
    }

    /// The simulated Slack workspace's owner and a one-time console sign-in link for them (the
    /// simulator signs them in at once: it runs with `--auto-approve allow`).
    func ownerInvitation(through operatorClient: DemoClient) async throws -> (owner: SimAdmin, link: String) {
        let summary: SimOrganizationSummary = try await simulator.get("/_sim/orgs/\(organization)")
        guard let owner = summary.admins["slack"]?.first else {
            throw DemoClient.Refused(description: "the simulator lists no Slack owner for the demo company")
        }
        struct Invite: Encodable { let role = "admin", email: String }
        let invitation: Invitation = try await operatorClient.post("\(org)/invitations", json: Invite(email: owner.email))
        guard let link = invitation.url else { throw DemoClient.Refused(description: "the invitation came without a link") }
        return (owner, link)
    }
}
