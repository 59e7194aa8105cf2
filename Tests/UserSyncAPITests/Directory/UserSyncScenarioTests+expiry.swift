import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// Links and sign-ins that expire.
extension UserSyncScenarioTests {
    @Test("an expired consent link gets a clear page and changes nothing; a reprompt's fresh link works")
    func expiredConsentLink() async throws {
        var settings = testSyncSettings()
        let clock = ManualClock(running: true)
        settings.now = { clock.now() }
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let sync = try await Self.startSync(api, person: person.id, onto: connected.connections[.webex]!)
            try await eventually { try await api.syncView(sync).cause == "awaiting_user_consent" }
            let link = try #require(Self.prompts(api, to: person).first?.link)
            let before = try await api.syncView(sync)
            clock.advance(by: 73 * 3600)  // past the link's 72 hours

            let page = try await api.call(.get, Self.path(link), token: nil)
            #expect(page.status == .gone)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("This link has expired"))
            #expect(page.headers[.location] == nil)
            let after = try await api.syncView(sync)
            #expect(after.status == "pending" && after.cause == "awaiting_user_consent")
            #expect(Self.history(after).count == Self.history(before).count)
            #expect(after.authorized == false)
            #expect(try await Self.audit(api, "action=consent.opened&target_id=\(sync)").isEmpty)

            let reprompt = try await api.call(.post, "/v1/orgs/acme/people/\(person.id)/reprompt", json: #"{"force":true}"#)
            #expect(reprompt.status == .accepted, "\(reprompt.text)")
            try await eventually { Self.prompts(api, to: person).count == 2 }
            let fresh = try #require(Self.prompts(api, to: person).last?.link)
            #expect(try await api.answerConsent(fresh, login: person.email).status == .ok)
            #expect(try await api.syncView(sync).status == "synced")
        }
    }

    @Test("a sign-in that comes back after the OAuth state expired gets a clear page and changes nothing; the link still works")
    func expiredOAuthState() async throws {
        var settings = testSyncSettings()
        let clock = ManualClock(running: true)
        settings.now = { clock.now() }
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let sync = try await Self.startSync(api, person: person.id, onto: connected.connections[.webex]!)
            try await eventually { try await api.syncView(sync).cause == "awaiting_user_consent" }
            let link = try #require(Self.prompts(api, to: person).first?.link)
            let before = try await api.syncView(sync)

            let callback = try await Self.authorize(api, link: link, login: person.email)
            clock.advance(by: 31 * 60)  // past the sign-in's 30 minutes
            let page = try await api.call(.get, callback, token: nil)
            #expect(page.status == .gone)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("This sign-in took too long"))
            let after = try await api.syncView(sync)
            #expect(after.status == "pending" && after.cause == "awaiting_user_consent")
            #expect(after.authorized == false)
            #expect(Self.history(after).count == Self.history(before).count)
            #expect(api.simulator.tokens(organization: "acme").filter { $0.kind == "user" }.isEmpty, "no code was exchanged")

            // The link was not used up: opened again, it signs the person in.
            #expect(try await api.answerConsent(link, login: person.email).status == .ok)
            #expect(try await api.syncView(sync).status == "synced")
        }
    }
}
