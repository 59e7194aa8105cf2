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
            var body = try #require(
                try JSONSerialization.jsonObject(with: Data(api.platforms!.connectionBody(platform, organization: "acme").utf8)) as? [String: Any])
            // Every secret of the credentials is wrong (ids stay right, so the platform finds the app).
            var credentials = try #require(body["credentials"] as? [String: Any])
            for (field, value) in credentials where field.contains("secret") || field.contains("token") {
                credentials[field] = "\(value)-wrong"
            }
            body["credentials"] = credentials
            let reply = try await api.call(
                .post, "/v1/orgs/acme/connections", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
            #expect(reply.status == .unprocessableContent)
            #expect(reply.code == "credentials_rejected", "\(reply.text)")
            #expect((reply["detail"] as? String)?.hasPrefix("\(platform.displayName) answered:") == true, "\(reply.text)")
            if platform == .slack { #expect((reply["detail"] as? String)?.contains("invalid_auth") == true, "\(reply.text)") }
            #expect(!reply.text.contains("-wrong"), "the secret is not echoed")
            #expect(try await api.call(.get, "/v1/orgs/acme/connections").items.isEmpty)
        }
    }

    @Test("a connection shows its workspace and health and never a secret; the same workspace twice is a conflict")
    func connectionsNeverShowSecrets() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            try await api.createOrganization("other")
            let secrets = Platform.allCases.flatMap { platform -> [String] in
                let body =
                    try! JSONSerialization.jsonObject(with: Data(api.platforms!.connectionBody(platform, organization: "acme").utf8))
                    as! [String: Any]
                let credentials = body["credentials"] as! [String: String]
                return credentials.filter { $0.key.contains("secret") || $0.key.contains("token") }.map(\.value)
            }
            for platform in Platform.allCases { try await api.connect(platform) }
            let list = try await api.call(.get, "/v1/orgs/acme/connections")
            #expect(list.items.count == 4)
            for item in list.items {
                #expect((item["health"] as? [String: Any])?["state"] as? String == "connected")
                #expect(((item["workspace"] as? [String: Any])?["id"] as? String)?.isEmpty == false)
            }
            for secret in secrets { #expect(!list.text.contains(secret), "a secret leaked into the connection list") }
            let stored = try await api.db.adminQueryText("SELECT string_agg(encode(credentials, 'escape'), '') FROM platform_connections")
            for secret in secrets { #expect(!stored.contains(secret), "credentials must be stored encrypted") }

            let again = try await api.call(.post, "/v1/orgs/acme/connections", json: api.platforms!.connectionBody(.slack, organization: "acme"))
            #expect(again.status == .conflict)
            #expect(again.code == "workspace_already_connected")
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
            #expect(try await api.call(.get, "/v1/orgs/acme/connections").items.count == 1)
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
            #expect(refused.code == "no_teams_selected")
            let unknown = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/teams/selection", json: #"{"select":["no-such-team"]}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect((unknown["errors"] as? [[String: Any]])?.first?["code"] as? String == "unknown_team")
            let page = try await api.call(.get, "/v1/orgs/acme/connections/\(teams)/teams/available")
            let first = try #require(page.items.first?["platform_team_id"] as? String)
            let selected = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/teams/selection", json: #"{"select":["\#(first)"]}"#)
            #expect(selected.items.filter { $0["selected"] as? Bool == true }.count == 1)
            #expect(try await api.call(.get, "/v1/orgs/acme/connections/\(teams)/teams?selected=true").items.count == 1)
            let accepted = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/imports")
            #expect(accepted.status == .accepted)
            // Asking again while it is queued returns the same run.
            let again = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/imports")
            #expect(again.status == .ok)
            #expect(again["id"] as? String == accepted["id"] as? String)
            let slackSelection = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/teams/selection", json: #"{"select":["x"]}"#)
            #expect(slackSelection.code == "team_selection_not_supported")
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
                    ids += page.items.compactMap { $0["platform_team_id"] as? String }
                    cursor = page["next_cursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 50
                let seeded = api.simulator.summary(organization: "acme")!.counts[platform.rawValue]!.teams
                #expect(pages > 1, "\(platform): one page of \(ids.count)")
                #expect(ids.count == seeded && Set(ids).count == seeded, "\(platform): \(ids.count) of \(seeded) teams")
                #expect(try await api.call(.get, "/v1/orgs/acme/connections/\(connection)/teams").items.count == seeded)
            }
            let teams = try #require(try await api.call(.get, "/v1/orgs/acme/connections?platform=teams").items.first?["id"] as? String)
            let forged = try await api.call(.get, "/v1/orgs/acme/connections/\(teams)/teams/available?cursor=Zm9yZ2Vk")
            #expect(forged.status == .badRequest, "a forged cursor is the client's mistake: \(forged.text)")
            #expect(forged.code == "invalid_cursor")
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
            let both = try await api.allPeople(query: "needs_primary_choice=true")
            #expect(!both.isEmpty)

            let disconnected = try await api.call(.delete, "/v1/orgs/acme/connections/\(zoom)")
            #expect(disconnected.status == .ok)
            #expect((disconnected["health"] as? [String: Any])?["state"] as? String == "disconnected")
            #expect((disconnected["accounts"] as? [String: Any])?["active"] as? Int == 0)
            #expect(((disconnected["accounts"] as? [String: Any])?["total"] as? Int ?? 0) > 0, "accounts are kept")
            #expect(try await api.call(.delete, "/v1/orgs/acme/connections/\(zoom)").code == "connection_disconnected")
            #expect(try await api.call(.post, "/v1/orgs/acme/connections/\(zoom)/imports").code == "connection_disconnected")
            // People on Slack and Zoom now live on Slack by default.
            #expect(try await api.allPeople(query: "needs_primary_choice=true").isEmpty)
            let person = try await api.call(.get, "/v1/orgs/acme/people/\(both[0]["id"] as? String ?? "")")
            #expect(person.json.primaryPlatform == .slack)
            let zoomAccount = (person["accounts"] as? [[String: Any]])?.first { $0["platform"] as? String == "zoom" }
            #expect(zoomAccount?["deactivation_reason"] as? String == "connection_disconnected")

            let credentials = try #require(
                try JSONSerialization.jsonObject(with: Data(api.platforms!.connectionBody(.zoom, organization: "acme").utf8)) as? [String: Any])
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["credentials": credentials["credentials"]!]), as: UTF8.self)
            let reconnected = try await api.call(.patch, "/v1/orgs/acme/connections/\(zoom)", json: body)
            #expect(reconnected.status == .ok, "\(reconnected.text)")
            #expect((reconnected["health"] as? [String: Any])?["state"] as? String == "connected")
            let run = try await api.importAndWait(zoom)
            #expect(((run["counts"] as? [String: Any])?["accounts_reactivated"] as? Int ?? 0) > 0)
            #expect(try await api.allPeople(query: "needs_primary_choice=true").count == both.count)
        }
    }

    @Test("a disconnect while an import runs stops it: its live counts showed, and nothing it wrote stays active")
    func disconnectDuringImport() async throws {
        try await withSimulatedAPI(organizations: [("acme", 1_000)]) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "users.list", kind: .latency, latencyMs: 600))
            let started = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/imports")
            let run = try #require(started["id"] as? String, "\(started.text)")
            // The run's counts are live while it runs.
            try await eventually {
                let reply = try await api.call(.get, "/v1/orgs/acme/imports/\(run)")
                return reply["state"] as? String == "running" && ((reply["counts"] as? [String: Any])?["accounts_seen"] as? Int ?? 0) > 0
            }
            let disconnected = try await api.call(.delete, "/v1/orgs/acme/connections/\(slack)")
            #expect(disconnected.status == .ok, "\(disconnected.text)")
            let ended = try await api.call(.get, "/v1/orgs/acme/imports/\(run)")
            #expect(
                ended["state"] as? String == "failed" && (ended["failure"] as? [String: Any])?["cause"] as? String == "connection_disconnected",
                "\(ended.text)")
            // The worker's job notices at its next page and ends without writing it.
            try await eventually {
                let running = try await api.call(.get, "/v1/orgs/acme/jobs?state=running").items
                let queued = try await api.call(.get, "/v1/orgs/acme/jobs?state=queued").items
                return running.isEmpty && queued.isEmpty
            }
            let connection = try await api.call(.get, "/v1/orgs/acme/connections/\(slack)")
            #expect((connection["accounts"] as? [String: Any])?["active"] as? Int == 0, "\(connection.text)")
            #expect(try await api.call(.get, "/v1/orgs/acme/imports/\(run)")["state"] as? String == "failed")
        }
    }

    @Test(
        "rotating credentials: good ones are verified and kept, bad ones are refused and the old ones stay, a reconnect never duplicates a workspace")
    func rotation() async throws {
        try await withSimulatedAPI(organizations: [("acme", 20)], worker: false) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let body = try #require(
                try JSONSerialization.jsonObject(with: Data(api.platforms!.connectionBody(.slack, organization: "acme").utf8)) as? [String: Any])
            let good = String(decoding: try JSONSerialization.data(withJSONObject: ["credentials": body["credentials"]!]), as: UTF8.self)
            let rotated = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: good)
            #expect(rotated.status == .ok && (rotated["health"] as? [String: Any])?["state"] as? String == "connected", "\(rotated.text)")

            let refused = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: #"{"credentials":{"bot_token":"xoxb-wrong"}}"#)
            #expect(refused.status == .unprocessableContent && refused.code == "credentials_rejected", "\(refused.text)")
            let verified = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/verify")
            #expect((verified["health"] as? [String: Any])?["state"] as? String == "connected", "the old credentials still work: \(verified.text)")

            // Disconnected, then connected again as a new connection: reconnecting the old one
            // would connect the workspace twice.
            #expect(try await api.call(.delete, "/v1/orgs/acme/connections/\(slack)").status == .ok)
            _ = try await api.connect(.slack)
            let twice = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: good)
            #expect(twice.status == .conflict && twice.code == "workspace_already_connected", "\(twice.text)")
        }
    }

    @Test("credentials of another workspace cannot replace a connection's")
    func rotationKeepsTheWorkspace() async throws {
        try await withSimulatedAPI(organizations: [("acme", 20), ("globex", 20)], worker: false) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let other = try #require(
                try JSONSerialization.jsonObject(with: Data(api.platforms!.connectionBody(.slack, organization: "globex").utf8)) as? [String: Any])
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["credentials": other["credentials"]!]), as: UTF8.self)
            let reply = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: body)
            #expect(reply.status == .unprocessableContent)
            #expect((reply["errors"] as? [[String: Any]])?.first?["code"] as? String == "workspace_mismatch")
        }
    }

    @Test("Auto Heal: revoked app credentials fail the import and flag the connection; it heals once they work again")
    func autoHealAdminSide() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            #expect(api.simulator.revoke(organization: "acme", platform: .slack))
            let run = try await api.importAndWait(slack)
            #expect(run["state"] as? String == "failed")
            #expect((run["failure"] as? [String: Any])?["cause"] as? String == "credentials_rejected", "\(run)")
            let broken = try await api.call(.get, "/v1/orgs/acme/connections/\(slack)")
            let health = try #require(broken["health"] as? [String: Any])
            #expect(health["state"] as? String == "needs_attention")
            #expect(health["cause"] as? String == "credentials_rejected")
            #expect((health["message"] as? String)?.contains("Slack") == true)
            // Checking by hand while it is still broken keeps it flagged.
            let checked = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/verify")
            #expect((checked["health"] as? [String: Any])?["state"] as? String == "needs_attention")

            api.simulator.restore(organization: "acme", platform: .slack)
            // The worker's re-check (first after 1 s in tests) notices by itself.
            try await eventually(.seconds(60), "the connection did not heal") {
                (try await api.call(.get, "/v1/orgs/acme/connections/\(slack)")["health"] as? [String: Any])?["state"] as? String == "connected"
            }
            #expect(try await api.importAndWait(slack)["state"] as? String == "succeeded")
        }
    }
}

extension UserSyncTestSupport.TestDatabase {
    /// One text value from a query run as the superuser.
    func adminQueryText(_ sql: String) async throws -> String {
        let rows = try await admin.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await value in rows.decode(String?.self) { return value ?? "" }
        return ""
    }
}
