import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// What the admin sees: a person's history and the people list by sync status.
extension UserSyncScenarioTests {
    @Test("a person's page lists every status change of their sync with cause, message, actor and fix")
    func personHistory() async throws {
        var settings = testSyncSettings()
        settings.retryBaseDelay = .milliseconds(200)
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let key = try await api.createKey("acme")
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let id = person.id, email = person.email
            let name = person.displayName ?? email
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .serverError, times: 1, status: 500))

            let sync = try await Self.startSync(api, person: id, onto: connected.connections[.webex]!, token: key.secret)
            // Each prompt is answered once its sync shows it went out, as a person could at the earliest.
            let awaiting: () async throws -> Bool = { try await api.syncView(sync).cause == "awaiting_user_consent" }
            try await eventually { Self.prompts(api, to: person).count == 1 }
            try await eventually { try await awaiting() }
            #expect(try await api.answerConsent(Self.prompts(api, to: person)[0].link!, login: email, allow: false).status == .ok)
            let retried = try await api.call(.post, "/v1/orgs/acme/syncs/\(sync)/retry", token: key.secret)
            #expect(retried.status == .accepted, "\(retried.text)")
            try await eventually { Self.prompts(api, to: person).count == 2 }
            try await eventually { try await awaiting() }
            #expect(try await api.answerConsent(Self.prompts(api, to: person)[1].link!, login: email, allow: false).status == .ok)
            let reprompted = try await api.call(.post, "/v1/orgs/acme/people/\(id)/reprompt", token: key.secret, json: #"{"force":true}"#)
            #expect(reprompted.status == .accepted, "\(reprompted.text)")
            try await eventually { Self.prompts(api, to: person).count == 3 }
            try await eventually { try await awaiting() }
            #expect(try await api.answerConsent(Self.prompts(api, to: person)[2].link!, login: email).status == .ok)

            let page = try await api.personView(id)
            let shown = try #require(page.syncs.first { $0.id == sync })
            #expect(shown.status == "synced")
            #expect(shown.cause == "consent_granted")
            let events = Self.history(shown)
            let waiting = "Ask \(name) to open the link, or reprompt to send a new one."
            let expected: [(to: String, cause: String, actor: String, actorID: String?, fix: String?)] = [
                ("pending", "sync_requested", "admin", key.id, nil),
                ("pending", "platform_unavailable", "system", nil, nil),
                ("pending", "awaiting_user_consent", "system", nil, waiting),
                ("failed", "user_declined", "user", id, "Ask them to accept, then reprompt."),
                ("pending", "retry_requested", "admin", key.id, nil),
                ("pending", "awaiting_user_consent", "system", nil, waiting),
                ("failed", "user_declined", "user", id, "Ask them to accept, then reprompt."),
                ("pending", "reprompt_requested", "admin", key.id, nil),
                ("pending", "awaiting_user_consent", "system", nil, waiting),
                ("synced", "consent_granted", "user", id, nil),
            ]
            #expect(events.count == expected.count, "\(events)")
            for (index, (event, want)) in zip(events, expected).enumerated() {
                #expect(event.toStatus == want.to, "event \(index)")
                #expect(event.cause == want.cause, "event \(index)")
                #expect(!event.message.isEmpty, "event \(index)")
                #expect(event.fixAction == want.fix, "event \(index): \(event)")
                #expect(event.fromStatus == (index == 0 ? nil : events[index - 1].toStatus), "event \(index)")
                #expect((event.nextRetryAt != nil) == (want.cause == "platform_unavailable"), "event \(index)")
                #expect(event.actor.kind == want.actor && event.actor.id == want.actorID, "event \(index): \(event)")
            }
            let times = events.map(\.at)
            #expect(times.count == events.count && times == times.sorted())
            // The sync's own page tells the same story.
            #expect(Self.history(try await api.syncView(sync)).map(\.cause) == events.map(\.cause))
        }
    }

    @Test("the people list filtered by sync_status returns exactly the people with a sync in that status")
    func peopleBySyncStatus() async throws {
        try await withSimulatedAPI(organizations: [("acme", 60)]) { api in
            let connected = try await Self.setUp(api)
            let webex = connected.connections[.webex]!, zoom = connected.connections[.zoom]!
            let slackPrimary = try await Self.people(api) { $0.primaryPlatform == .slack }
            let linked = slackPrimary.filter { Self.presence($0, .webex) == .active }
            let withoutEither = slackPrimary.filter { Self.presence($0, .webex) == .none && Self.presence($0, .zoom) == .none }
            try #require(linked.count >= 2 && withoutEither.count >= 3, "\(linked.count) linkable, \(withoutEither.count) on neither")
            let pending = linked[0].id, consented = linked[1]
            let virtual = withoutEither[0].id, impossible = withoutEither[1].id, mixed = withoutEither[2].id

            _ = try await Self.startSync(api, person: pending, onto: webex)
            _ = try await Self.startSync(api, person: consented.id, onto: webex)
            _ = try await Self.startSync(api, person: virtual, onto: webex)
            _ = try await Self.startSync(api, person: impossible, onto: zoom)
            _ = try await Self.startSync(api, person: mixed, onto: webex)
            _ = try await Self.startSync(api, person: mixed, onto: zoom)
            try await api.waitForSyncsToSettle()
            let link = try #require(Self.prompts(api, to: consented).first?.link)
            #expect(try await api.answerConsent(link, login: consented.email).status == .ok)

            func ids(_ status: String) async throws -> Set<String> {
                Set(try await api.personViews(query: "sync_status=\(status)").map(\.id))
            }
            #expect(try await ids("pending") == [pending])
            #expect(try await ids("synced") == [consented.id, virtual, mixed])
            #expect(try await ids("failed") == [impossible, mixed])
            let everyone = Set(try await api.personViews().map(\.id))
            #expect(try await ids("not_created") == everyone.subtracting([pending, consented.id, virtual, impossible, mixed]))
            // Narrowed to one platform: only syncs onto it count, and "not created" there means
            // neither living there nor having a sync there.
            #expect(try await ids("failed&sync_platform=zoom") == [impossible, mixed])
            #expect(try await ids("failed&sync_platform=webex").isEmpty)
            #expect(try await ids("synced&sync_platform=webex") == [consented.id, virtual, mixed])
            let onWebex = Set(try await Self.people(api) { $0.primaryPlatform == .webex }.map(\.id))
            #expect(
                try await ids("not_created&sync_platform=webex")
                    == everyone.subtracting(onWebex).subtracting([pending, consented.id, virtual, mixed]))
            let refused = try await api.call(.get, "/v1/orgs/acme/people?sync_status=stuck")
            #expect(refused.status == .badRequest)
        }
    }
}
