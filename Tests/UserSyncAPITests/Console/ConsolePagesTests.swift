import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// The console's pages over HTTP: the User Sync journey through forms, what a viewer and another
/// organization may do, CSRF, escaping and the security headers.
@Suite struct ConsolePagesTests {
    /// A browser signed in to `org` with a new key of `role`.
    static func signedIn(_ api: API, _ org: String = "acme", role: String = "admin") async throws -> ConsoleBrowser {
        let key = try await api.createKey(org, role: role)
        let browser = ConsoleBrowser(api)
        let home = try await browser.signIn(apiKey: key.secret)
        #expect(home.status == .ok, "\(home.text)")
        return browser
    }

    /// The connect form's fields for a simulated platform, as an admin would type them.
    static func connectForm(_ api: API, _ platform: Platform) -> [(String, String)] {
        let body = api.simulator.summary(organization: "acme")!.usersyncConnection(platform, base: api.platforms!.baseURL)
        return body.credentials.map { ("credentials.\($0.key)", $0.value) } + [
            ("api_base_url", body.apiBaseURL), ("auth_base_url", body.authBaseURL), ("display_name", body.displayName),
        ]
    }

    @Test func theJourneyThroughForms() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            try await api.createOrganization("acme")
            let browser = try await Self.signedIn(api)
            let people = try await browser.get("/console/acme/people")
            #expect(people.text.contains("No platform is connected yet"))

            // A refused credential is shown in the platform's words, and nothing is stored.
            var wrong = Self.connectForm(api, .slack)
            wrong.removeAll { $0.0 == "credentials.bot_token" }
            wrong.append(("credentials.bot_token", "xoxb-wrong"))
            let refused = try await browser.post("/console/acme/connect/slack", wrong)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("invalid_auth"))
            #expect(try await api.count("/v1/orgs/acme/connections") == 0)

            // Connect the four platforms.
            var connections: [Platform: String] = [:]
            for platform in Platform.allCases {
                let connected = try await browser.post("/console/acme/connect/\(platform.rawValue)", Self.connectForm(api, platform))
                #expect(connected.status == .seeOther, "\(platform): \(connected.text)")
                let location = try #require(connected.headers[.location])
                connections[platform] = String(try #require(location.split(separator: "/").last?.split(separator: "?").first))
                #expect(try await browser.follow(connected).text.contains("Connected"))
            }
            let center = try await browser.get("/console/acme/connect")
            #expect(center.text.components(separatedBy: "connection state-connected").count - 1 == 4)

            // Import Slack and Zoom; select every team of Teams and Webex, then import them.
            for platform in [Platform.slack, .zoom] {
                #expect(try await browser.post("/console/acme/connections/\(connections[platform]!)/import").status == .seeOther)
            }
            for platform in [Platform.teams, .webex] {
                let id = connections[platform]!
                let picker = try await browser.get("/console/acme/connections/\(id)/teams")
                #expect(picker.status == .ok)
                let teams = Self.values("team", in: picker.text)
                #expect(!teams.isEmpty)
                let saved = try await browser.post(
                    "/console/acme/connections/\(id)/teams", teams.map { ("shown", $0) } + teams.map { ("team", $0) } + [("then", "import")])
                #expect(saved.status == .seeOther, "\(saved.text)")
            }
            let importing = try await browser.get("/console/acme/import")
            #expect(importing.text.contains("data-refresh") || importing.text.contains("Imported"))
            try await eventually {
                let page = try await browser.get("/console/acme/import")
                return page.text.components(separatedBy: "<strong>Imported</strong>").count - 1 == 4
            }

            // Choose a primary from the dropdown for someone on several platforms.
            let person = try #require(try await api.personViews(query: "needs_primary_choice=true").first?.id)
            let list = try await browser.get("/console/acme/people?primary=choose")
            #expect(list.text.contains("Primary platform of"))
            let options = Self.values("connection_id", in: list.text, option: true)
            let slackID = connections[.slack]!
            let target = options.contains(slackID) ? slackID : try #require(options.first { !$0.isEmpty })
            let chosen = try await browser.post(
                "/console/acme/people/\(person)/primary", [("connection_id", target), ("back", "/console/acme/people")])
            #expect(chosen.status == .seeOther)
            #expect(try await api.personView(person).primary?.connectionId == target)

            // The pop-up says what a sync would do, from the preview; confirming starts it.
            let secondary = try #require(connections.first { $0.value != target && $0.key != .zoom }?.value)
            let preview = try await browser.get("/console/acme/people/\(person)/sync/\(secondary)")
            #expect(preview.status == .ok)
            #expect(preview.text.contains("data-dialog-content"))
            #expect(preview.text.contains("UserSync bot") || preview.text.contains("guest account") || preview.text.contains("stand in"))
            let started = try await browser.post("/console/acme/people/\(person)/sync/\(secondary)", [("back", "/console/acme/people/\(person)")])
            #expect(started.status == .seeOther)
            #expect(started.headers[.location] == "/console/acme/people/\(person)?notice=sync_started")
            let page = try await browser.follow(started)
            #expect(page.text.contains("Sync started"))
            #expect(page.text.contains("History"))

            // The three-dot menu's actions: reset asks first, then queues.
            let review = try await browser.get("/console/acme/people/\(person)/actions/reset")
            #expect(review.text.contains("Breaks every sync"))
            let reset = try await browser.post("/console/acme/people/\(person)/actions/reset")
            #expect(reset.headers[.location]?.contains("notice=reset_queued") == true)
            try await eventually { try await api.personView(person).syncs.isEmpty }

            // Every page of the console renders for the admin.
            for path in [
                "connect", "import", "people", "people/\(person)", "activity", "keys", "members", "jobs",
                "connections/\(connections[.slack]!)", "connections/\(connections[.slack]!)/disconnect",
                "connections/\(connections[.teams]!)/teams?q=a", "people?sync_status=not_created&sync_platform=teams",
            ] {
                let page = try await browser.get("/console/acme/\(path)")
                #expect(page.status == .ok, "\(path): \(page.status)")
            }
        }
    }

    @Test func aViewerSeesEverythingDisabledAndTheServerRefusesChanges() async throws {
        try await withSimulatedAPI(organizations: [("acme", 20)]) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            let viewer = try await Self.signedIn(api, role: "viewer")
            let people = try await viewer.get("/console/acme/people")
            #expect(people.text.contains("viewer</strong> role"))
            #expect(!people.text.contains("data-dialog>") || !people.text.contains("/actions/reset?"), "no action links for a viewer")
            #expect(people.text.contains("aria-disabled=\"true\" class=\"disabled\">Reset user"))
            let center = try await viewer.get("/console/acme/connections/\(slack)")
            #expect(center.text.contains("<fieldset disabled>"))
            #expect(center.text.contains("Verify now</button>") && center.text.contains("disabled>Verify now"))
            let before = try await api.count("/v1/orgs/acme/audit?limit=200")
            for (path, form) in [
                ("connections/\(slack)/verify", [(String, String)]()), ("connections/\(slack)/disconnect", []),
                ("connections/\(slack)/import", []), ("keys", [("name", "x"), ("role", "admin")]),
                ("members/invitations", [("role", "admin")]),
            ] {
                let refused = try await viewer.post("/console/acme/\(path)", form)
                #expect(refused.status == .forbidden, "\(path): \(refused.status)")
                #expect(refused.text.contains("viewer role"))
            }
            #expect(try await api.count("/v1/orgs/acme/audit?limit=200") == before)
        }
    }

    @Test func formsWithoutTheSessionsTokenOrFromAnotherSiteAreRefused() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let browser = try await Self.signedIn(api)
            _ = try await browser.get("/console/acme/keys")
            let keys = try await api.count("/v1/orgs/acme/keys")
            #expect(try await browser.post("/console/acme/keys", [("name", "x"), ("role", "admin")], csrf: .some(nil)).status == .forbidden)
            #expect(try await browser.post("/console/acme/keys", [("name", "x"), ("role", "admin")], csrf: .some("forged")).status == .forbidden)
            let crossSite = try await browser.post(
                "/console/acme/keys", [("name", "x"), ("role", "admin")], headers: [.init("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            #expect(try await api.count("/v1/orgs/acme/keys") == keys)
            // Another session's token is no good either.
            let other = try await Self.signedIn(api)
            _ = try await other.get("/console/acme/keys")
            #expect(try await browser.post("/console/acme/keys", [("name", "x"), ("role", "admin")], csrf: .some(other.csrf)).status == .forbidden)
            #expect(try await browser.post("/console/acme/keys", [("name", "x"), ("role", "admin")]).status == .created)
        }
    }

    @Test func anotherOrganizationsSessionSeesOnlyNotFound() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            try await api.createOrganization("globex")
            let acmePerson = try await api.connect(.slack).description
            let outsider = try await Self.signedIn(api, "globex")
            for path in ["", "/connect", "/people", "/connections/\(acmePerson)", "/members", "/keys", "/activity", "/jobs"] {
                let reply = try await outsider.get("/console/acme\(path)")
                #expect(reply.status == .notFound, "\(path): \(reply.status)")
                #expect(!reply.text.contains("acme Inc"))
            }
            let posted = try await outsider.post("/console/acme/keys", [("name", "x"), ("role", "admin")])
            #expect(posted.status == .notFound)
            #expect(try await api.count("/v1/orgs/acme/keys") == 0)
            // Its own organization's pages work.
            #expect(try await outsider.get("/console/globex/people").status == .ok)
        }
    }

    @Test func hostileNamesFromAPlatformShowAsText() async throws {
        try await withSimulatedAPI(organizations: [("acme", 10)]) { api in
            try await api.createOrganization("acme")
            // Zoom's display name becomes the person's name as it is.
            let person = try #require(
                api.simulator.people(organization: "acme")?.first { $0.accounts.contains { $0.platform == .zoom && $0.active } })
            let account = try #require(person.accounts.first { $0.platform == .zoom })
            let hostile = #"<img src=x onerror=alert(1)>"#
            #expect(api.simulator.changeUser(organization: "acme", platform: .zoom, id: account.id, SimUserChange(displayName: hostile + "\"'&")))
            _ = try await api.importAndWait(try await api.connect(.zoom))
            let browser = try await Self.signedIn(api)
            let id = try #require(try await api.personViews().first { $0.displayName?.hasPrefix("<img") == true }?.id)
            for path in ["/console/acme/people", "/console/acme/people/\(id)", "/console/acme/people/\(id)/actions/remove"] {
                let page = try await browser.get(path)
                #expect(!page.text.contains("<img"), "\(path) shows raw HTML")
                #expect(
                    page.text.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;")
                        || page.text.contains("&lt;img src=x onerror=alert(1)&gt;"), "\(path)")
            }
        }
    }

    @Test func everyPageCarriesTheSecurityHeadersAndNoInlineScript() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let browser = try await Self.signedIn(api)
            for path in ["/console/sign-in", "/console/acme/connect", "/console/acme/people", "/console/acme/keys", "/console/acme/nowhere-at-all"] {
                let page = try await browser.get(path)
                let csp = try #require(page.headers[.init("Content-Security-Policy")!], "\(path)")
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "\(path)")
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(page.headers[.init("X-Content-Type-Options")!] == "nosniff")
                #expect(page.headers[.cacheControl] == "no-store")
                let scripts = page.text.components(separatedBy: "<script").dropFirst()
                #expect(scripts.allSatisfy { $0.hasPrefix(" src=") }, "\(path) has an inline script")
                #expect(!page.text.contains(" style=") && !page.text.contains(" onclick="), "\(path) has inline style or handlers")
            }
            let script = try await browser.get("/console/static/console.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(script.headers[.cacheControl]?.contains("immutable") == true)
        }
    }

    // MARK: Helpers

    /// The values of inputs named `name` (or, with `option`, of a select's options) in `html`.
    static func values(_ name: String, in html: String, option: Bool = false) -> [String] {
        if option {
            guard let start = html.range(of: #"<select name="\#(name)""#) else { return [] }
            let rest = html[start.upperBound...]
            let end = rest.range(of: "</select>")?.lowerBound ?? rest.endIndex
            return rest[..<end].components(separatedBy: "<option value=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        return html.components(separatedBy: #"name="\#(name)" value=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }
}
