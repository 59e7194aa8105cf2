import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncUseCases

/// Signing in to the console: invitation links, platform admins, API keys, and the sessions
/// that follow (cookies, expiry, sign-out, revocation).
@Suite struct ConsoleSignInTests {
    @Test func anInvitationLetsItsFirstUserInWithItsRoleOnce() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.invitationToken("acme", role: "viewer")
            let browser = ConsoleBrowser(api)
            let landing = try await browser.get("/console/invitations/\(token)")
            #expect(landing.status == .ok)
            #expect(landing.text.contains("viewer") && landing.text.contains("Sign in with Slack"))
            let person = try api.nonAdmin(.slack)
            let slackID = try #require(person.accounts.first { $0.platform == .slack }?.id)
            let home = try await browser.signIn(.slack, invitation: token, login: slackID)
            #expect(home.status == .ok, "\(home.text)")
            #expect(home.text.contains("Connect Center"))
            #expect(home.text.contains("viewer"))

            // The session cookie: HttpOnly, SameSite=Lax, scoped to the console, not Secure on http.
            let members = try await api.members()
            #expect(members.count == 1)
            #expect(members.first?.role == "viewer")
            #expect(members.first?.account.subject == slackID)
            #expect(members.first?.source == "invitation")

            // Used once: another browser is refused, whoever it signs in as.
            let second = ConsoleBrowser(api)
            let refused = try await second.signIn(.slack, invitation: token, login: try api.admins(.slack)[0].id)
            #expect(refused.status == .forbidden, "\(refused.text)")
            #expect(refused.text.contains("used already"))
            #expect(try await api.members().count == 1)
        }
    }

    @Test func theSessionCookieIsHttpOnlyLaxAndScopedAndSecureOnHttps() async throws {
        var console = ConsoleSettings(publicURL: "https://usersync.test")
        console.sessionLifetime = .seconds(3600)
        try await withSimulatedAPI(console: console) { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let browser = ConsoleBrowser(api)
            let page = try await browser.get("/console/sign-in")
            let token = try #require(ConsoleBrowser.field("_form", in: page.text))
            let signedIn = try await browser.post("/console/sign-in/key", [("_form", token), ("api_key", key.secret)], csrf: .some(nil))
            #expect(signedIn.status == .seeOther)
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("usersync_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/console"))
            #expect(cookie.contains("Secure"))
            // Only the hash of the id is stored.
            let value = String(cookie.dropFirst("usersync_session=".count).prefix { $0 != ";" })
            #expect(try await api.db.scalar("SELECT count(*) FROM console_sessions WHERE id_hash = sha256(convert_to('\(value)', 'UTF8'))") == 1)
            #expect(try await api.db.scalar("SELECT count(*) FROM console_sessions WHERE data::text LIKE '%\(value)%'") == 0)
        }
    }

    @Test func aSlackOwnerOfAConnectedWorkspaceSignsInAsAnAdminAndOthersAreRefused() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            // Before Slack is connected, being its owner admits nobody.
            let owner = try api.admins(.slack)[0]
            let early = try await ConsoleBrowser(api).signIn(.slack, org: "acme", login: owner.id)
            #expect(early.status == .forbidden)
            #expect(early.text.contains("has not connected your Slack workspace"))

            try await api.connect(.slack)
            let browser = ConsoleBrowser(api)
            let home = try await browser.signIn(.slack, org: "acme", login: owner.id)
            #expect(home.status == .ok, "\(home.text)")
            let member = try #require(try await api.members().first)
            #expect(member.role == "admin")
            #expect(member.source == "platform_admin")
            #expect(member.account.subject == owner.id)

            let nobody = try api.nonAdmin(.slack)
            let refused = try await ConsoleBrowser(api).signIn(
                .slack, org: "acme", login: try #require(nobody.accounts.first { $0.platform == .slack }).id)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("not an admin or owner"))

            // An organization that does not exist answers like one the account cannot enter.
            let unknown = try await ConsoleBrowser(api).signIn(.slack, org: "no-such-org", login: owner.id)
            #expect(unknown.status == .forbidden)
        }
    }

    @Test func anEntraGlobalAdministratorOfAConnectedTenantSignsInWithMicrosoft() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            try await api.connect(.teams)
            let admin = try api.admins(.teams)[0]
            let home = try await ConsoleBrowser(api).signIn(.microsoft, org: "acme", login: admin.id)
            #expect(home.status == .ok, "\(home.text)")
            let member = try #require(try await api.members().first)
            #expect(member.account.provider == "microsoft")
            #expect(member.account.subject == admin.id.lowercased())
            let nobody = try api.nonAdmin(.teams)
            let refused = try await ConsoleBrowser(api).signIn(
                .microsoft, org: "acme", login: try #require(nobody.accounts.first { $0.platform == .teams }).id)
            #expect(refused.status == .forbidden)
        }
    }

    @Test(arguments: IDTokenFault.allCases)
    func anIDTokenThatFailsValidationSignsNobodyIn(_ fault: IDTokenFault) async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.invitationToken("acme")
            api.simulator.tamperNextIDToken(fault)
            let browser = ConsoleBrowser(api)
            let reply = try await browser.signIn(.slack, invitation: token, login: try api.admins(.slack)[0].id)
            #expect(reply.status == .badRequest, "\(fault): \(reply.status)")
            #expect(reply.text.contains("could not be verified"))
            #expect(browser.cookies["usersync_session"] == nil)
            #expect(try await api.members().isEmpty)
            // The invitation is still good for a sign-in that verifies.
            #expect(try await browser.signIn(.slack, invitation: token, login: try api.admins(.slack)[0].id).status == .ok)
        }
    }

    @Test func aCallbackWithoutItsAttemptOrWithAnotherStateIsRefused() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.invitationToken("acme")
            let browser = ConsoleBrowser(api)
            let started = try await browser.get(ConsoleBrowser.startPath(.slack, org: nil, invitation: token))
            api.simulator.setAutoApprove(.allow, login: try api.admins(.slack)[0].id)
            let callback = try await ConsoleBrowser.visitProvider(try #require(started.headers[.location]))
            // Another browser (no attempt cookie) brings the callback: login CSRF is refused.
            let stranger = ConsoleBrowser(api)
            let refused = try await stranger.get(callback)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("started in another browser"))
            // The right browser with a tampered state is refused too.
            let tampered = callback.replacingOccurrences(of: "state=", with: "state=x")
            #expect(try await browser.get(tampered).status == .badRequest)
            #expect(try await api.members().isEmpty)
        }
    }

    @Test func anAPIKeySessionEndsWhenTheKeyIsRevoked() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let browser = ConsoleBrowser(api)
            #expect(try await browser.signIn(apiKey: "usk_not_a_key").status == .forbidden)
            let home = try await browser.signIn(apiKey: key.secret)
            #expect(home.status == .ok, "\(home.text)")
            #expect(try await browser.get("/console/acme/people").status == .ok)
            #expect(try await api.call(.delete, "/v1/orgs/acme/keys/\(key.id)").status == .ok)
            let after = try await browser.get("/console/acme/people")
            #expect(after.status == .seeOther)
            #expect(after.headers[.location]?.hasPrefix("/console/sign-in") == true)
            #expect(try await api.db.scalar("SELECT count(*) FROM console_sessions") == 0)
        }
    }

    @Test func revokingAMemberEndsTheirSessionsAndKeepsThemOut() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            try await api.connect(.slack)
            let owner = try api.admins(.slack)[0]
            let browser = ConsoleBrowser(api)
            #expect(try await browser.signIn(.slack, org: "acme", login: owner.id).status == .ok)
            let member = try #require(try await api.members().first?.id)
            #expect(try await api.call(.delete, "/v1/orgs/acme/members/\(member)").status == .ok)
            #expect(try await browser.get("/console/acme/people").status == .seeOther)
            // Still the workspace's owner, but revoked: refused.
            let again = try await ConsoleBrowser(api).signIn(.slack, org: "acme", login: owner.id)
            #expect(again.status == .forbidden)
            #expect(again.text.contains("was revoked"))
        }
    }

    @Test func signingOutEndsTheSessionForGood() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let browser = ConsoleBrowser(api)
            try await browser.signIn(apiKey: key.secret)
            let cookie = try #require(browser.cookies["usersync_session"])
            // Without the form's token, signing out is refused (and nothing ends).
            #expect(try await browser.post("/console/sign-out", csrf: .some("forged")).status == .forbidden)
            #expect(try await browser.get("/console/acme/people").status == .ok)
            let out = try await browser.post("/console/sign-out")
            #expect(out.status == .seeOther)
            // The old cookie, replayed, is worth nothing.
            let replay = ConsoleBrowser(api)
            replay.setCookie("usersync_session", cookie)
            #expect(try await replay.get("/console/acme/people").status == .seeOther)
        }
    }

    @Test func sessionsEndWhenIdleAndAtTheirAbsoluteExpiry() async throws {
        let clock = ManualClock()
        var console = ConsoleSettings(publicURL: "http://usersync.test")
        console.idleTimeout = .seconds(600)
        console.sessionLifetime = .seconds(3600)
        console.now = { clock.now() }
        try await withSimulatedAPI(console: console) { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let browser = ConsoleBrowser(api)
            try await browser.signIn(apiKey: key.secret)
            // Active every 9 minutes: the idle timeout keeps moving…
            for _ in 0..<5 {
                clock.advance(by: 540)
                #expect(try await browser.get("/console/acme/people").status == .ok)
            }
            // …but not past the absolute lifetime (45 minutes in, 20 more is past an hour).
            clock.advance(by: 540)
            #expect(try await browser.get("/console/acme/people").status == .ok)
            clock.advance(by: 540)
            #expect(try await browser.get("/console/acme/people").status == .seeOther)

            // A fresh session left alone for eleven minutes is over.
            try await browser.signIn(apiKey: key.secret)
            clock.advance(by: 660)
            #expect(try await browser.get("/console/acme/people").status == .seeOther)
        }
    }

    @Test func anInvitationForAnAddressAdmitsOnlyThatAccount() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let owner = try api.admins(.slack)[0]
            let token = try await api.invitationToken("acme", email: owner.email.uppercased())
            let other = try api.nonAdmin(.slack)
            let refused = try await ConsoleBrowser(api).signIn(
                .slack, invitation: token, login: try #require(other.accounts.first { $0.platform == .slack }).id)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("for another address"))
            #expect(try await ConsoleBrowser(api).signIn(.slack, invitation: token, login: owner.id).status == .ok)
        }
    }
}
