import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// The Connect Center: connecting, refusing bad credentials, never showing secrets, team
/// selection rules, disconnecting and reconnecting, and Auto Heal on the admin side.
@Suite struct ConnectCenterTests {
    @Test("bad credentials are refused with the classified cause and the platform's words; nothing is stored", arguments: Platform.allCases)
    func badCredentialsAreRefused(platform: Platform) async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            var body = try Self.connectionBody(api, platform)
            // Every secret of the credentials is wrong (ids stay right, so the platform finds the app).
            for (field, value) in body.credentials where field.contains("secret") || field.contains("token") {
                body.credentials[field] = "\(value)-wrong"
            }
            let reply = try await api.call(.post, "/v1/orgs/acme/connections", json: try jsonText(body))
            #expect(reply.status == .unprocessableContent)
            let problem = try reply.decode(ProblemReply.self)
            #expect(problem.code == "credentials_rejected", "\(reply.text)")
            #expect(problem.detail.hasPrefix("\(platform.displayName) answered:"), "\(reply.text)")
            if platform == .slack { #expect(problem.detail.contains("invalid_auth"), "\(reply.text)") }
            #expect(!reply.text.contains("-wrong"), "the secret is not echoed")
            #expect(try await Self.connections(api).isEmpty)
        }
    }

    @Test("a connection shows its workspace and health and never a secret; the same workspace twice is a conflict")
    func connectionsNeverShowSecrets() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            try await api.createOrganization("other")
            let secrets = try Platform.allCases.flatMap { platform -> [String] in
                let credentials = try Self.connectionBody(api, platform).credentials
                return credentials.filter { $0.key.contains("secret") || $0.key.contains("token") }.map(\.value)
            }
            for platform in Platform.allCases { try await api.connect(platform) }
            let list = try await api.call(.get, "/v1/orgs/acme/connections")
            let items = try list.decode(Page<ConnectionView>.self).items
            #expect(items.count == 4)
            for item in items {
                #expect(item.health.state == "connected")
                #expect(!item.workspace.id.isEmpty)
            }
            for secret in secrets { #expect(!list.text.contains(secret), "a secret leaked into the connection list") }
            let stored = try await api.db.adminQueryText("SELECT string_agg(encode(credentials, 'escape'), '') FROM platform_connections")
            for secret in secrets { #expect(!stored.contains(secret), "credentials must be stored encrypted") }

            let again = try await api.call(.post, "/v1/orgs/acme/connections", json: api.platforms!.connectionBody(.slack, organization: "acme"))
            #expect(again.status == .conflict)
            #expect(try again.decode(ProblemReply.self).code == "workspace_already_connected")
            // The same workspace in another organization is a connection of its own.
            try await api.connect(.slack, org: "other")
        }
    }

    @Test("viewer keys read the Connect Center and change nothing")
    func viewersOnlyRead() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let connection = try await api.connect(.slack)
            let viewer = try await api.createKey("acme", role: "viewer")
            #expect(try await api.call(.get, "/v1/orgs/acme/connections", token: viewer.secret).status == .ok)
            #expect(try await api.call(.get, "/v1/orgs/acme/people", token: viewer.secret).status == .ok)
            #expect(try await api.call(.get, "/v1/orgs/acme/people.csv", token: viewer.secret).status == .ok)
            #expect(try await api.call(.get, "/v1/orgs/acme/connections/\(connection)/imports", token: viewer.secret).status == .ok)
            #expect(try await api.call(.get, "/v1/orgs/acme/audit", token: viewer.secret).status == .ok)
            for (method, uri, body) in [
                (HTTPRequest.Method.post, "/v1/orgs/acme/connections", api.platforms!.connectionBody(.zoom, organization: "acme")),
                (.patch, "/v1/orgs/acme/connections/\(connection)", #"{"display_name":"x"}"#),
                (.delete, "/v1/orgs/acme/connections/\(connection)", nil),
                (.post, "/v1/orgs/acme/connections/\(connection)/imports", nil),
                (.post, "/v1/orgs/acme/connections/\(connection)/verify", nil),
                (.post, "/v1/orgs/acme/connections/\(connection)/teams/selection", #"{"select":["T1"]}"#),
                (.put, "/v1/orgs/acme/people/\(UUID())/primary", #"{"platform":"slack"}"#),
                (.post, "/v1/orgs/acme/people/\(UUID())/syncs", #"{"connection_id":"\#(connection)"}"#),
                (.post, "/v1/orgs/acme/people/\(UUID())/reset", nil),
                (.delete, "/v1/orgs/acme/people/\(UUID())", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let reply = try await api.call(method, uri, token: viewer.secret, json: body)
                #expect(reply.status == .forbidden, "\(method) \(uri): \(reply.text)")
            }
            #expect(try await Self.connections(api).count == 1)
        }
    }

    @Test("Teams and Webex import only selected teams; Slack and Zoom take no selection")
    func teamSelectionRules() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let teams = try await api.connect(.teams)
            let slack = try await api.connect(.slack)
            let refused = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/imports")
            #expect(refused.status == .conflict)
            #expect(try refused.decode(ProblemReply.self).code == "no_teams_selected")
            let unknown = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/teams/selection", json: #"{"select":["no-such-team"]}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.decode(ProblemReply.self).errors?.first?.code == "unknown_team")
            let page = try await api.call(.get, "/v1/orgs/acme/connections/\(teams)/teams/available").decode(Page<TeamView>.self)
            let first = try #require(page.items.first?.platformTeamId)
            let selected = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/teams/selection", json: #"{"select":["\#(first)"]}"#)
            #expect(try selected.decode(Page<TeamView>.self).items.filter { $0.selected }.count == 1)
            #expect(try await Self.teams(api, teams, query: "?selected=true").count == 1)
            let accepted = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/imports")
            #expect(accepted.status == .accepted)
            // Asking again while it is queued returns the same run.
            let again = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/imports")
            #expect(again.status == .ok)
            #expect(try again.decode(ImportRunView.self).id == accepted.decode(ImportRunView.self).id)
            let slackSelection = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/teams/selection", json: #"{"select":["x"]}"#)
            #expect(try slackSelection.decode(ProblemReply.self).code == "team_selection_not_supported")
        }
    }

    @Test("available teams are listed live a page at a time, and the pages together are every team")
    func availableTeamsPageThrough() async throws {
        var settings = SimulatedPlatforms.testSettings
        settings.pageSize[.teams] = 3
        settings.pageSize[.webex] = 3
        try await withSimulatedAPI(organizations: [("acme", 400)], connectors: settings, worker: false) { api in
            try await api.createOrganization("acme")
            for platform in [Platform.teams, .webex] {
                let connection = try await api.connect(platform)
                var pages = 0
                var ids: [String] = []
                var cursor: String?
                repeat {
                    let page = try await api.call(
                        .get, "/v1/orgs/acme/connections/\(connection)/teams/available" + (cursor.map { "?cursor=\($0)" } ?? ""))
                    #expect(page.status == .ok, "\(page.text)")
                    let teams = try page.decode(Page<TeamView>.self)
                    ids += teams.items.map(\.platformTeamId)
                    cursor = teams.nextCursor
                    pages += 1
                } while cursor != nil && pages < 50
                let seeded = api.simulator.summary(organization: "acme")!.counts[platform.rawValue]!.teams
                #expect(pages > 1, "\(platform): one page of \(ids.count)")
                #expect(ids.count == seeded && Set(ids).count == seeded, "\(platform): \(ids.count) of \(seeded) teams")
                #expect(try await Self.teams(api, connection).count == seeded)
            }
            let teams = try #require(try await Self.connections(api, query: "?platform=teams").first?.id)
            let forged = try await api.call(.get, "/v1/orgs/acme/connections/\(teams)/teams/available?cursor=Zm9yZ2Vk")
            #expect(forged.status == .badRequest, "a forged cursor is the client's mistake: \(forged.text)")
            #expect(try forged.decode(ProblemReply.self).code == "invalid_cursor")
            #expect(api.simulator.calls(.teams, "teams") > 0)
        }
    }

    @Test("disconnecting keeps accounts (marked) and history; updating with credentials reconnects")
    func disconnectAndReconnect() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let zoom = try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            _ = try await api.importAndWait(zoom)
            let both = try await api.personViews(query: "needs_primary_choice=true")
            #expect(!both.isEmpty)

            let disconnected = try await api.call(.delete, "/v1/orgs/acme/connections/\(zoom)")
            #expect(disconnected.status == .ok)
            let shown = try disconnected.decode(ConnectionView.self)
            #expect(shown.health.state == "disconnected")
            #expect(shown.accounts?.active == 0)
            #expect((shown.accounts?.total ?? 0) > 0, "accounts are kept")
            #expect(try await api.call(.delete, "/v1/orgs/acme/connections/\(zoom)").decode(ProblemReply.self).code == "connection_disconnected")
            #expect(
                try await api.call(.post, "/v1/orgs/acme/connections/\(zoom)/imports").decode(ProblemReply.self).code == "connection_disconnected")
            // People on Slack and Zoom now live on Slack by default.
            #expect(try await api.personViews(query: "needs_primary_choice=true").isEmpty)
            let person = try await api.personView(both[0].id)
            #expect(person.primaryPlatform == .slack)
            let zoomAccount = person.account(on: .zoom)
            #expect(zoomAccount?.deactivationReason == "connection_disconnected")

            let body = try jsonText(["credentials": try Self.connectionBody(api, .zoom).credentials])
            let reconnected = try await api.call(.patch, "/v1/orgs/acme/connections/\(zoom)", json: body)
            #expect(reconnected.status == .ok, "\(reconnected.text)")
            #expect(try reconnected.decode(ConnectionView.self).health.state == "connected")
            let run = try await api.importAndWait(zoom)
            #expect(run.counts.accountsReactivated > 0)
            #expect(try await api.personViews(query: "needs_primary_choice=true").count == both.count)
        }
    }

    @Test("a disconnect while an import runs stops it: its live counts showed, and nothing it wrote stays active")
    func disconnectDuringImport() async throws {
        try await withSimulatedAPI(organizations: [("acme", 1_000)]) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "users.list", kind: .latency, latencyMs: 600))
            let started = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/imports")
            let run = try started.decode(ImportRunView.self).id
            // The run's counts are live while it runs.
            try await eventually {
                let current = try await api.call(.get, "/v1/orgs/acme/imports/\(run)").decode(ImportRunView.self)
                return current.state == "running" && current.counts.accountsSeen > 0
            }
            let disconnected = try await api.call(.delete, "/v1/orgs/acme/connections/\(slack)")
            #expect(disconnected.status == .ok, "\(disconnected.text)")
            let ended = try await api.call(.get, "/v1/orgs/acme/imports/\(run)")
            let endedRun = try ended.decode(ImportRunView.self)
            #expect(endedRun.state == "failed" && endedRun.failure?.cause == "connection_disconnected", "\(ended.text)")
            // The worker's job notices at its next page and ends without writing it.
            try await eventually {
                let running = try await api.call(.get, "/v1/orgs/acme/jobs?state=running").decode(Page<JobView>.self).items
                let queued = try await api.call(.get, "/v1/orgs/acme/jobs?state=queued").decode(Page<JobView>.self).items
                return running.isEmpty && queued.isEmpty
            }
            let connection = try await api.call(.get, "/v1/orgs/acme/connections/\(slack)")
            #expect(try connection.decode(ConnectionView.self).accounts?.active == 0, "\(connection.text)")
            #expect(try await api.call(.get, "/v1/orgs/acme/imports/\(run)").decode(ImportRunView.self).state == "failed")
        }
    }

    @Test("Auto Heal: revoked app credentials fail the import and flag the connection; it heals once they work again")
    func autoHealAdminSide() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            #expect(api.simulator.revoke(organization: "acme", platform: .slack))
            let run = try await api.importAndWait(slack)
            #expect(run.state == "failed")
            #expect(run.failure?.cause == "credentials_rejected", "\(run)")
            let health = try await Self.connection(api, slack).health
            #expect(health.state == "needs_attention")
            #expect(health.cause == "credentials_rejected")
            #expect(health.message?.contains("Slack") == true)
            // Checking by hand while it is still broken keeps it flagged.
            let checked = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/verify")
            #expect(try checked.decode(ConnectionView.self).health.state == "needs_attention")

            api.simulator.restore(organization: "acme", platform: .slack)
            // The worker's re-check (first after 1 s in tests) notices by itself.
            try await eventually(.seconds(60), "the connection did not heal") {
                try await Self.connection(api, slack).health.state == "connected"
            }
            #expect(try await api.importAndWait(slack).state == "succeeded")
        }
    }
}
