import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// User Sync as an admin lives it when things go wrong or in bulk: platform failures classified
/// by who fixes them (admin, time), links and sign-ins that expire, the history and the audit log
/// that say why, the people list filtered by status, and the bulk forms of every action.
@Suite struct UserSyncScenarioTests {
    // MARK: Failures during a sync

    @Test(
        "an admin-only failure (Slack's app credentials revoked before the prompt) fails the sync with cause and fix and flags the connection; once restored, Auto Heal prompts"
    )
    func adminFailureHeals() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let slack = connected.connections[.slack]!
            #expect(api.simulator.revoke(organization: "acme", platform: .slack))

            let sync = try await Self.startSync(api, person: Self.id(person), onto: connected.connections[.webex]!)
            try await eventually { try await api.sync(sync)["status"] as? String == "failed" }
            let failed = try await api.sync(sync)
            #expect(failed["cause"] as? String == "credentials_rejected")
            #expect((failed["message"] as? String)?.hasPrefix("Sending the consent prompt failed. Slack: ") == true, "\(failed)")
            #expect(failed["fix_action"] as? String == "Reconnect Slack in the Connect Center (its connection needs attention), then retry.")
            #expect(failed["next_retry_at"] is NSNull)
            try await eventually { try await Self.health(api, slack)["state"] as? String == "needs_attention" }
            #expect(try await Self.health(api, slack)["cause"] as? String == "credentials_rejected")
            #expect(Self.prompts(api, to: person).isEmpty)

            api.simulator.restore(organization: "acme", platform: .slack)
            try await eventually { try await Self.health(api, slack)["state"] as? String == "connected" }
            try await eventually { try await api.sync(sync)["cause"] as? String == "awaiting_user_consent" }
            let healed = try await api.sync(sync)
            #expect(healed["status"] as? String == "pending")
            let prompts = Self.prompts(api, to: person)
            #expect(prompts.count == 1)
            #expect(prompts.first?.platform == .slack)
            let events = Self.history(healed)
            #expect(events.map { $0["to_status"] as? String } == ["pending", "failed", "pending", "pending"])
            #expect(
                events.map { $0["cause"] as? String } == ["sync_requested", "credentials_rejected", "connection_healed", "awaiting_user_consent"])
            #expect(events.dropFirst().allSatisfy { Self.actor($0).kind == "system" })
            let audit = try await api.call(.get, "/v1/orgs/acme/audit?target_type=connection&target_id=\(slack)")
            #expect(audit.items.prefix(2).compactMap { $0["action"] as? String } == ["connection.healed", "connection.needs_attention"])

            let page = try await api.answerConsent(try #require(prompts.first?.link), login: person["email"] as! String)
            #expect(page.status == .ok)
            #expect(try await api.sync(sync)["status"] as? String == "synced")
        }
    }

    @Test(
        "a transient failure (HTTP 500 on Slack's chat.postMessage, twice) keeps the sync pending with its next retry time; it converges with one prompt"
    )
    func transientFailureRetries() async throws {
        var settings = testSyncSettings()
        // Long enough that the pending state can be seen between the tries.
        settings.retryBaseDelay = .milliseconds(1500)
        settings.maxRetryDelay = .seconds(3)
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .serverError, times: 2, status: 500))

            let requested = Date()
            let sync = try await Self.startSync(api, person: Self.id(person), onto: connected.connections[.webex]!)
            var waiting: [String: Any] = [:]
            try await eventually(.seconds(20)) {
                waiting = try await api.sync(sync)
                return waiting["cause"] as? String == "platform_unavailable"
            }
            let observed = Date()
            #expect(waiting["status"] as? String == "pending")
            #expect((waiting["message"] as? String)?.contains("will be retried") == true, "\(waiting)")
            let next = try #require(Self.date(waiting["next_retry_at"]), "\(waiting)")
            // The API shows whole seconds; the first retry is 0.75–1.5 s after the failure.
            #expect(next > requested.addingTimeInterval(-1) && next < observed.addingTimeInterval(3), "\(next) \(requested) \(observed)")

            try await eventually { try await api.sync(sync)["cause"] as? String == "awaiting_user_consent" }
            let settled = try await api.sync(sync)
            #expect(settled["status"] as? String == "pending")
            #expect(settled["next_retry_at"] is NSNull)
            #expect(api.simulator.calls(.slack, "chat.postMessage", status: 500) == 2)
            let prompts = Self.prompts(api, to: person)
            #expect(prompts.count == 1)
            let events = Self.history(settled)
            #expect(
                events.map { $0["cause"] as? String } == ["sync_requested", "platform_unavailable", "platform_unavailable", "awaiting_user_consent"])
            #expect(events.map { $0["to_status"] as? String } == ["pending", "pending", "pending", "pending"])
            #expect(events.filter { $0["cause"] as? String == "platform_unavailable" }.allSatisfy { Self.date($0["next_retry_at"]) != nil })
            // The one link delivered is the live one.
            let page = try await api.answerConsent(try #require(prompts.first?.link), login: person["email"] as! String)
            #expect(page.status == .ok)
            #expect(try await api.sync(sync)["status"] as? String == "synced")
        }
    }

    @Test("a rate limit longer than the connector waits in place (Retry-After: 7) keeps the sync pending until the platform's time; then one prompt")
    func longRateLimit() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            // The tests' connectors wait in place for up to 5 s (SimulatedPlatforms.testSettings).
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .rateLimit, times: 1, retryAfter: 7))

            let requested = Date()
            let sync = try await Self.startSync(api, person: Self.id(person), onto: connected.connections[.webex]!)
            var waiting: [String: Any] = [:]
            try await eventually(.seconds(20)) {
                waiting = try await api.sync(sync)
                return waiting["cause"] as? String == "rate_limited"
            }
            let observed = Date()
            #expect(waiting["status"] as? String == "pending")
            let next = try #require(Self.date(waiting["next_retry_at"]), "\(waiting)")
            // The platform's time: 7 s after its answer (the API shows whole seconds).
            #expect(next >= requested.addingTimeInterval(6) && next <= observed.addingTimeInterval(7.5), "\(next) \(requested) \(observed)")

            try await eventually { try await api.sync(sync)["cause"] as? String == "awaiting_user_consent" }
            let settled = try await api.sync(sync)
            let events = Self.history(settled)
            #expect(events.map { $0["cause"] as? String } == ["sync_requested", "rate_limited", "awaiting_user_consent"])
            let promptedAt = try #require(Self.date(events.last?["at"]))
            #expect(promptedAt >= next.addingTimeInterval(-1), "tried again at \(promptedAt), before the platform's \(next)")
            #expect(api.simulator.calls(.slack, "chat.postMessage", status: 429) == 1)
            #expect(Self.prompts(api, to: person).count == 1)
        }
    }

    // MARK: Links and sign-ins that expire

    @Test("an expired consent link gets a clear page and changes nothing; a reprompt's fresh link works")
    func expiredConsentLink() async throws {
        var settings = testSyncSettings()
        let clock = ManualClock(running: true)
        settings.now = { clock.now() }
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let sync = try await Self.startSync(api, person: Self.id(person), onto: connected.connections[.webex]!)
            try await eventually { try await api.sync(sync)["cause"] as? String == "awaiting_user_consent" }
            let link = try #require(Self.prompts(api, to: person).first?.link)
            let before = try await api.sync(sync)
            clock.advance(by: 73 * 3600)  // past the link's 72 hours

            let page = try await api.call(.get, Self.path(link), token: nil)
            #expect(page.status == .gone)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("This link has expired"))
            #expect(page.headers[.location] == nil)
            let after = try await api.sync(sync)
            #expect(after["status"] as? String == "pending" && after["cause"] as? String == "awaiting_user_consent")
            #expect(Self.history(after).count == Self.history(before).count)
            #expect(after["authorized"] as? Bool == false)
            #expect(try await api.call(.get, "/v1/orgs/acme/audit?action=consent.opened&target_id=\(sync)").items.isEmpty)

            let reprompt = try await api.call(.post, "/v1/orgs/acme/people/\(Self.id(person))/reprompt", json: #"{"force":true}"#)
            #expect(reprompt.status == .accepted, "\(reprompt.text)")
            try await eventually { Self.prompts(api, to: person).count == 2 }
            let fresh = try #require(Self.prompts(api, to: person).last?.link)
            #expect(try await api.answerConsent(fresh, login: person["email"] as! String).status == .ok)
            #expect(try await api.sync(sync)["status"] as? String == "synced")
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
            let sync = try await Self.startSync(api, person: Self.id(person), onto: connected.connections[.webex]!)
            try await eventually { try await api.sync(sync)["cause"] as? String == "awaiting_user_consent" }
            let link = try #require(Self.prompts(api, to: person).first?.link)
            let before = try await api.sync(sync)

            let callback = try await Self.authorize(api, link: link, login: person["email"] as! String)
            clock.advance(by: 31 * 60)  // past the sign-in's 30 minutes
            let page = try await api.call(.get, callback, token: nil)
            #expect(page.status == .gone)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("This sign-in took too long"))
            let after = try await api.sync(sync)
            #expect(after["status"] as? String == "pending" && after["cause"] as? String == "awaiting_user_consent")
            #expect(after["authorized"] as? Bool == false)
            #expect(Self.history(after).count == Self.history(before).count)
            #expect(api.simulator.tokens(organization: "acme").filter { $0.kind == "user" }.isEmpty, "no code was exchanged")

            // The link was not used up: opened again, it signs the person in.
            #expect(try await api.answerConsent(link, login: person["email"] as! String).status == .ok)
            #expect(try await api.sync(sync)["status"] as? String == "synced")
        }
    }

    // MARK: What the admin sees

    @Test("a person's page lists every status change of their sync with cause, message, actor and fix")
    func personHistory() async throws {
        var settings = testSyncSettings()
        settings.retryBaseDelay = .milliseconds(200)
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let key = try await api.createKey("acme")
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let id = Self.id(person), email = person["email"] as! String
            let name = person["display_name"] as? String ?? email
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .serverError, times: 1, status: 500))

            let sync = try await Self.startSync(api, person: id, onto: connected.connections[.webex]!, token: key.secret)
            // Each prompt is answered once its sync shows it went out, as a person could at the earliest.
            let awaiting: () async throws -> Bool = { try await api.sync(sync)["cause"] as? String == "awaiting_user_consent" }
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

            let page = try await api.call(.get, "/v1/orgs/acme/people/\(id)")
            let shown = try #require((page["syncs"] as? [[String: Any]])?.first { $0["id"] as? String == sync })
            #expect(shown["status"] as? String == "synced")
            #expect(shown["cause"] as? String == "consent_granted")
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
                #expect(event["to_status"] as? String == want.to, "event \(index)")
                #expect(event["cause"] as? String == want.cause, "event \(index)")
                #expect((event["message"] as? String)?.isEmpty == false, "event \(index)")
                #expect(event["fix_action"] as? String == want.fix, "event \(index): \(event)")
                #expect(event["from_status"] as? String == (index == 0 ? nil : events[index - 1]["to_status"] as? String), "event \(index)")
                #expect((Self.date(event["next_retry_at"]) != nil) == (want.cause == "platform_unavailable"), "event \(index)")
                #expect(Self.actor(event).kind == want.actor && Self.actor(event).id == want.actorID, "event \(index): \(event)")
            }
            let times = events.compactMap { Self.date($0["at"]) }
            #expect(times.count == events.count && times == times.sorted())
            // The sync's own page tells the same story.
            #expect(Self.history(try await api.sync(sync)).map { $0["cause"] as? String } == events.map { $0["cause"] as? String })
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
            let pending = Self.id(linked[0]), consented = linked[1]
            let virtual = Self.id(withoutEither[0]), impossible = Self.id(withoutEither[1]), mixed = Self.id(withoutEither[2])

            _ = try await Self.startSync(api, person: pending, onto: webex)
            _ = try await Self.startSync(api, person: Self.id(consented), onto: webex)
            _ = try await Self.startSync(api, person: virtual, onto: webex)
            _ = try await Self.startSync(api, person: impossible, onto: zoom)
            _ = try await Self.startSync(api, person: mixed, onto: webex)
            _ = try await Self.startSync(api, person: mixed, onto: zoom)
            try await api.waitForSyncsToSettle()
            let link = try #require(Self.prompts(api, to: consented).first?.link)
            #expect(try await api.answerConsent(link, login: consented["email"] as! String).status == .ok)

            func ids(_ status: String) async throws -> Set<String> {
                Set(try await api.allPeople(query: "sync_status=\(status)").map(Self.id))
            }
            #expect(try await ids("pending") == [pending])
            #expect(try await ids("synced") == [Self.id(consented), virtual, mixed])
            #expect(try await ids("failed") == [impossible, mixed])
            let everyone = Set(try await api.allPeople().map(Self.id))
            #expect(try await ids("not_created") == everyone.subtracting([pending, Self.id(consented), virtual, impossible, mixed]))
            // Narrowed to one platform: only syncs onto it count, and "not created" there means
            // neither living there nor having a sync there.
            #expect(try await ids("failed&sync_platform=zoom") == [impossible, mixed])
            #expect(try await ids("failed&sync_platform=webex").isEmpty)
            #expect(try await ids("synced&sync_platform=webex") == [Self.id(consented), virtual, mixed])
            let onWebex = Set(try await Self.people(api) { $0.primaryPlatform == .webex }.map(Self.id))
            #expect(
                try await ids("not_created&sync_platform=webex")
                    == everyone.subtracting(onWebex).subtracting([pending, Self.id(consented), virtual, mixed]))
            let refused = try await api.call(.get, "/v1/orgs/acme/people?sync_status=stuck")
            #expect(refused.status == .badRequest)
        }
    }

    @Test("the audit log filters by action, actor and target, pages without gaps or duplicates, is readable by viewers and names the admin key")
    func auditLog() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let admin = try await api.createKey("acme")
            let viewer = try await api.createKey("acme", role: "viewer")
            let org = try await api.db.adminQueryText("SELECT id::text FROM organizations WHERE slug = 'acme'")

            // The admin key's actions: one bulk primary choice and three syncs.
            let chosen = try await api.call(
                .post, "/v1/orgs/acme/people/primary", token: admin.secret, json: #"{"platform":"slack","filter":{"primary_platform":"slack"}}"#)
            #expect(chosen.status == .ok, "\(chosen.text)")
            let candidates = try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) != .deactivated }
            try #require(candidates.count >= 3)
            var syncs: [String] = []
            for person in candidates.prefix(3) {
                syncs.append(try await Self.startSync(api, person: Self.id(person), onto: connected.connections[.webex]!, token: admin.secret))
            }
            try await api.waitForSyncsToSettle()
            #expect(try await api.call(.post, "/v1/orgs/acme/syncs/\(syncs[0])/retry", token: viewer.secret).status == .forbidden)

            func list(_ query: String) async throws -> [[String: Any]] {
                let reply = try await api.call(.get, "/v1/orgs/acme/audit?limit=200&\(query)", token: viewer.secret)
                #expect(reply.status == .ok, "\(reply.text)")
                #expect(reply["next_cursor"] == nil || reply["next_cursor"] is NSNull, "more than one page for \(query)")
                return reply.items
            }
            let requested = try await list("action=sync.requested")
            #expect(Set(requested.compactMap { $0["target_id"] as? String }) == Set(syncs) && requested.count == 3)
            #expect(requested.allSatisfy { $0["target_type"] as? String == "sync" })
            let byKey = try await list("actor_kind=admin&actor_id=\(admin.id)")
            #expect(
                byKey.compactMap { $0["action"] as? String }.sorted() == [
                    "people.primary_chosen", "sync.requested", "sync.requested", "sync.requested",
                ])
            #expect(byKey.allSatisfy { Self.actor($0).kind == "admin" && Self.actor($0).id == admin.id })
            let system = try await list("actor_kind=system")
            #expect(!system.isEmpty && system.allSatisfy { Self.actor($0).kind == "system" && Self.actor($0).id == nil })
            let prefixed = try await list("action=sync.*")
            #expect(Set(prefixed.compactMap { $0["action"] as? String }) == ["sync.requested", "sync.status_changed"])
            // One sync's entries: its request, and one entry per status change after its creation.
            let target = try await list("target_type=sync&target_id=\(syncs[0])")
            let changes = Self.history(try await api.sync(syncs[0])).count - 1
            #expect(target.compactMap { $0["action"] as? String } == Array(repeating: "sync.status_changed", count: changes) + ["sync.requested"])
            #expect(target.filter { $0["action"] as? String == "sync.status_changed" }.allSatisfy { Self.actor($0).kind == "system" })
            #expect(try await list("target_type=connection&target_id=\(syncs[0])").isEmpty)

            // Small pages, whole log and one filter, against the table itself.
            func paged(_ query: String, limit: Int) async throws -> (ids: [Int64], pages: Int) {
                var ids: [Int64] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let reply = try await api.call(
                        .get, "/v1/orgs/acme/audit?limit=\(limit)\(query.isEmpty ? "" : "&" + query)" + (cursor.map { "&cursor=\($0)" } ?? ""),
                        token: viewer.secret)
                    #expect(reply.status == .ok, "\(reply.text)")
                    #expect(reply.items.count <= limit)
                    ids += reply.items.compactMap { ($0["id"] as? String).flatMap { Int64($0) } }
                    cursor = reply["next_cursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 1000
                return (ids, pages)
            }
            let whole = try await paged("", limit: 7)
            let stored = try await api.db.adminQueryText(
                "SELECT string_agg(id::text, ',' ORDER BY id DESC) FROM audit_log WHERE org_id = '\(org)' AND id <= \(whole.ids.first ?? 0)")
            #expect(whole.ids == stored.split(separator: ",").compactMap { Int64($0) })
            #expect(whole.pages > 2, "\(whole.ids.count) entries in \(whole.pages) pages")
            #expect(Set(whole.ids).count == whole.ids.count)
            let statusChanges = try await paged("action=sync.status_changed", limit: 2)
            let unpaged = try await list("action=sync.status_changed").compactMap { ($0["id"] as? String).flatMap { Int64($0) } }
            #expect(statusChanges.ids == unpaged && statusChanges.pages > 1)
            let forged = try await api.call(.get, "/v1/orgs/acme/audit?cursor=bm90LWEtbnVtYmVy", token: viewer.secret)
            #expect(forged.status == .badRequest && forged.code == "invalid_cursor")
            // A time window: everything so far is inside [2000, 2100), nothing before 2000.
            #expect(try await list("since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z").count >= whole.ids.count)
            #expect(try await list("until=2000-01-01T00:00:00Z").isEmpty)
        }
    }

    // MARK: Bulk forms

    @Test("bulk primaries and syncs, by ids and by filter: each answers at once with counts, and the worker settles every sync")
    func bulkPrimariesAndSyncs() async throws {
        try await withSimulatedAPI(organizations: [("acme", 60)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            let undecided = try await Self.people(api) { $0["needs_primary_choice"] as? Bool == true }
            let onTeams = undecided.filter { $0.activePlatforms.contains(.teams) }
            let notOnTeams = try #require(try await Self.people(api) { !$0.activePlatforms.contains(.teams) && $0.primaryPlatform != nil }.first)
            try #require(onTeams.count >= 4, "\(onTeams.count) undecided people on Teams")

            // By ids: three onto Teams; one more is not on Teams and keeps their primary.
            let chosen = Array(onTeams.prefix(3).map(Self.id))
            let byIDs = try await api.call(
                .post, "/v1/orgs/acme/people/primary", json: Self.json(["platform": "teams", "person_ids": chosen + [Self.id(notOnTeams)]]))
            #expect(byIDs.status == .ok, "\(byIDs.text)")
            #expect(byIDs["counts"] as? [String: Int] == ["updated": 3, "no_active_account": 1])
            for id in chosen {
                let person = try await api.call(.get, "/v1/orgs/acme/people/\(id)").json
                #expect(person.primaryPlatform == .teams && (person["primary"] as? [String: Any])?["source"] as? String == "admin")
            }
            #expect(try await api.call(.get, "/v1/orgs/acme/people/\(Self.id(notOnTeams))").json.primaryPlatform == notOnTeams.primaryPlatform)

            // By filter: everyone still undecided who is on Slack and Teams → Slack.
            let bothIDs = Set(undecided.filter { $0.activePlatforms.isSuperset(of: [.slack, .teams]) }.map(Self.id)).subtracting(chosen)
            try #require(!bothIDs.isEmpty, "the seed has undecided people on Slack and Teams")
            let byFilter = try await api.call(
                .post, "/v1/orgs/acme/people/primary",
                json: #"{"platform":"slack","filter":{"platforms":["slack","teams"],"needs_primary_choice":true}}"#)
            #expect(byFilter.status == .ok, "\(byFilter.text)")
            #expect(byFilter["counts"] as? [String: Int] == ["updated": bothIDs.count])
            let everyone = try await api.allPeople()
            #expect(
                Set(
                    everyone.filter { $0.primaryPlatform == .slack && ($0["primary"] as? [String: Any])?["source"] as? String == "admin" }.map(
                        Self.id)) == bothIDs)
            #expect(
                Set(try await api.allPeople(query: "needs_primary_choice=true").map(Self.id))
                    == Set(undecided.map(Self.id)).subtracting(chosen).subtracting(bothIDs))
            try await api.choosePrimaries()

            // Syncs by ids onto Webex: two links, two stand-ins, and one person who lives on Webex.
            let people = try await api.allPeople()
            let slackPrimary = people.filter { $0.primaryPlatform == .slack }
            let links = slackPrimary.filter { Self.presence($0, .webex) == .active }.prefix(2).map(Self.id)
            let standIns = slackPrimary.filter { Self.presence($0, .webex) == .none }.prefix(2).map(Self.id)
            let onWebex = try #require(people.first { $0.primaryPlatform == .webex }.map(Self.id))
            try #require(links.count == 2 && standIns.count == 2)
            let webex = connected.connections[.webex]!
            let ids = links + standIns + [onWebex]
            let syncs = try await api.call(.post, "/v1/orgs/acme/syncs", json: Self.json(["connection_id": webex, "person_ids": ids]))
            #expect(syncs.status == .accepted, "\(syncs.text)")
            #expect(syncs["counts"] as? [String: Int] == ["created": 4, "secondary_is_primary": 1])
            let again = try await api.call(.post, "/v1/orgs/acme/syncs", json: Self.json(["connection_id": webex, "person_ids": ids]))
            #expect(again["counts"] as? [String: Int] == ["exists": 4, "secondary_is_primary": 1])

            // Syncs by filter onto Zoom: everyone who lives on Teams.
            let teamsPrimary = people.filter { $0.primaryPlatform == .teams }
            let zoom = connected.connections[.zoom]!
            let byTeams = try await api.call(
                .post, "/v1/orgs/acme/syncs", json: #"{"connection_id":"\#(zoom)","filter":{"primary_platform":"teams"}}"#)
            #expect(byTeams.status == .accepted, "\(byTeams.text)")
            #expect(byTeams["counts"] as? [String: Int] == ["created": teamsPrimary.count])
            try await api.waitForSyncsToSettle()

            let all = try await api.syncs()
            #expect(Set(all.filter { $0.platform == "webex" }.map { $0.person }) == Set(links + standIns))
            #expect(Set(all.filter { $0.platform == "zoom" }.map { $0.person }) == Set(teamsPrimary.map(Self.id)))
            #expect(all.count == 4 + teamsPrimary.count)
            for sync in all {
                let person = try #require(people.first { Self.id($0) == sync.person })
                let (status, cause): (String, String) =
                    switch Self.presence(person, Platform(rawValue: sync.platform)!) {
                    case .active: ("pending", "awaiting_user_consent")
                    case .deactivated: ("failed", "secondary_account_deactivated")
                    case .none: sync.platform == "zoom" ? ("failed", "secondary_account_required") : ("synced", "bot_persona")
                    }
                #expect(sync.status == status && sync.cause == cause, "\(sync)")
            }
            // The worker settled them: the admin asked, the system did the rest.
            let standIn = try await api.call(.get, "/v1/orgs/acme/people/\(standIns[0])")
            let one = try #require((standIn["syncs"] as? [[String: Any]])?.first)
            #expect(Self.history(one).map { Self.actor($0).kind } == ["operator", "system"])
            #expect(api.simulator.messages(organization: "acme").count == all.filter { $0.cause == "awaiting_user_consent" }.count)
        }
    }

    @Test("bulk reprompt, reset and remove, by ids and by filter: each answers at once with counts and the worker finishes it")
    func bulkActions() async throws {
        try await withSimulatedAPI(organizations: [("acme", 60)]) { api in
            let connected = try await Self.setUp(api)
            let webex = connected.connections[.webex]!
            let queued = try await api.call(
                .post, "/v1/orgs/acme/syncs", json: #"{"connection_id":"\#(webex)","filter":{"primary_platform":"slack"}}"#)
            #expect(queued.status == .accepted, "\(queued.text)")
            try await api.waitForSyncsToSettle()
            let slackPrimary = try await Self.people(api) { $0.primaryPlatform == .slack }
            let links = slackPrimary.filter { Self.presence($0, .webex) == .active }
            let standIns = slackPrimary.filter { Self.presence($0, .webex) == .none }
            try #require(links.count >= 2 && standIns.count >= 3, "\(links.count) links, \(standIns.count) stand-ins")
            let firstLinks = Dictionary(uniqueKeysWithValues: links.map { (Self.id($0), Self.prompts(api, to: $0).first?.link) })

            // Reprompt by filter: everyone just prompted is throttled, unless forced.
            let throttled = try await api.call(
                .post, "/v1/orgs/acme/people/actions", json: #"{"action":"reprompt","filter":{"sync_status":"pending"}}"#)
            #expect(throttled.status == .accepted, "\(throttled.text)")
            #expect(throttled["counts"] as? [String: Int] == ["throttled": links.count])
            let forced = try await api.call(
                .post, "/v1/orgs/acme/people/actions", json: #"{"action":"reprompt","filter":{"sync_status":"pending"},"force":true}"#)
            #expect(forced["counts"] as? [String: Int] == ["queued": links.count])
            try await eventually { links.allSatisfy { Self.prompts(api, to: $0).count == 2 } }
            // The new prompt is out; once its delivery is recorded, the old link is replaced.
            let firstLink = Self.path(try #require(firstLinks[Self.id(links[0])] ?? nil))
            try await eventually { try await api.call(.get, firstLink, token: nil).status == .gone }
            #expect(try await api.call(.get, firstLink, token: nil).text.contains("replaced"))
            let nothing = try await api.call(
                .post, "/v1/orgs/acme/people/actions", json: Self.json(["action": "reprompt", "person_ids": [Self.id(standIns[0])], "force": true]))
            #expect(nothing["counts"] as? [String: Int] == ["nothing_to_reprompt": 1])

            // Reset by ids: their syncs go and the admin's primary choice is cleared; nobody else's.
            let reset = [Self.id(links[0]), Self.id(standIns[0])]
            let resetting = try await api.call(.post, "/v1/orgs/acme/people/actions", json: Self.json(["action": "reset", "person_ids": reset]))
            #expect(resetting.status == .accepted, "\(resetting.text)")
            #expect(resetting["counts"] as? [String: Int] == ["queued": 2])
            // The reset ends by clearing the primary choice, after its syncs are gone.
            try await eventually {
                for id in reset {
                    let person = try await api.call(.get, "/v1/orgs/acme/people/\(id)").json
                    if (person["syncs"] as? [Any])?.isEmpty != true { return false }
                    if (person["primary"] as? [String: Any])?["source"] as? String == "admin" { return false }
                }
                return true
            }
            for id in reset {
                let person = try await api.call(.get, "/v1/orgs/acme/people/\(id)").json
                #expect((person["primary"] as? [String: Any])?["source"] as? String != "admin", "\(person)")
            }
            #expect((try await api.call(.get, "/v1/orgs/acme/people/\(Self.id(links[1]))")["syncs"] as? [Any])?.count == 1)

            // Remove by filter: everyone synced (the stand-ins not reset).
            let synced = Set(standIns.dropFirst().map(Self.id))
            #expect(Set(try await api.allPeople(query: "sync_status=synced").map(Self.id)) == synced)
            let removing = try await api.call(.post, "/v1/orgs/acme/people/actions", json: #"{"action":"remove","filter":{"sync_status":"synced"}}"#)
            #expect(removing.status == .accepted, "\(removing.text)")
            #expect(removing["counts"] as? [String: Int] == ["queued": synced.count])
            try await eventually {
                for id in synced where try await api.call(.get, "/v1/orgs/acme/people/\(id)").status != .notFound { return false }
                return true
            }
            let removed = try await api.call(.get, "/v1/orgs/acme/audit?action=person.removed&limit=200")
            #expect(Set(removed.items.compactMap { $0["target_id"] as? String }) == synced)
            for id in reset + links.dropFirst().map(Self.id) {
                #expect(try await api.call(.get, "/v1/orgs/acme/people/\(id)").status == .ok)
            }
        }
    }

    @Test("reset then remove of the same person, back to back: the person ends removed")
    func resetThenRemove() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .teams) == .none }.first)
            let id = Self.id(person)
            let sync = try await Self.startSync(api, person: id, onto: connected.connections[.teams]!)
            try await api.waitForSyncsToSettle()
            #expect(try await api.sync(sync)["virtual_kind"] as? String == "guest")
            // Deleting the guest upstream is slow: the reset is still queued or running when the removal comes.
            api.simulator.addFault(FaultRule(platform: .teams, endpoint: "user.delete", kind: .latency, latencyMs: 1500))

            let reset = try await api.call(.post, "/v1/orgs/acme/people/\(id)/reset")
            let remove = try await api.call(.delete, "/v1/orgs/acme/people/\(id)")
            #expect(reset.status == .accepted && reset["job_id"] is String, "\(reset.text)")
            #expect(remove.status == .accepted, "\(remove.text)")
            try await eventually {
                try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'person.reset' AND state IN ('queued', 'running')") == 0
            }
            #expect(api.simulator.invitations(organization: "acme").contains { $0.deleted }, "the reset ran")
            // The removal asked while the reset is live is a job of its own.
            #expect(remove["job_id"] is String, "\(remove.text)")
            let after = try await api.call(.get, "/v1/orgs/acme/people/\(id)")
            let removals = try await api.call(.get, "/v1/orgs/acme/audit?action=person.removed&target_id=\(id)").items
            #expect(after.status == .notFound, "\(after.text)")
            #expect(removals.count == 1)
        }
    }
}

// MARK: Helpers

extension UserSyncScenarioTests {
    /// An organization with the four platforms connected and imported, and every person's primary
    /// chosen (Slack first).
    static func setUp(_ api: API) async throws -> Connected {
        try await api.createOrganization("acme")
        let connected = try await api.connectAndImportAll()
        try await api.choosePrimaries(order: [.slack, .teams, .webex, .zoom])
        return connected
    }

    /// Whether a person has an account on `platform`, and whether it is active: what decides a sync's mode.
    enum Presence { case active, deactivated, none }

    static func presence(_ person: [String: Any], _ platform: Platform) -> Presence {
        if person.activePlatforms.contains(platform) { return .active }
        return person.accountPlatforms.contains(platform) ? .deactivated : .none
    }

    static func people(_ api: API, where matches: ([String: Any]) -> Bool) async throws -> [[String: Any]] {
        try await api.allPeople().filter(matches)
    }

    static func id(_ person: [String: Any]) -> String { person["id"] as? String ?? "" }

    /// Starts one person's sync; returns its id.
    static func startSync(
        _ api: API, person: String, onto connection: String, token: String = operatorToken, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let reply = try await api.call(.post, "/v1/orgs/acme/people/\(person)/syncs", token: token, json: #"{"connection_id":"\#(connection)"}"#)
        #expect(reply.status == .created, "\(reply.text)", sourceLocation: sourceLocation)
        return try #require(reply["id"] as? String, sourceLocation: sourceLocation)
    }

    static func health(_ api: API, _ connection: String) async throws -> [String: Any] {
        try await api.call(.get, "/v1/orgs/acme/connections/\(connection)")["health"] as? [String: Any] ?? [:]
    }

    static func history(_ sync: [String: Any]) -> [[String: Any]] { sync["history"] as? [[String: Any]] ?? [] }

    static func actor(_ entry: [String: Any]) -> (kind: String?, id: String?) {
        let actor = entry["actor"] as? [String: Any]
        return (actor?["kind"] as? String, actor?["id"] as? String)
    }

    static func date(_ value: Any?) -> Date? { (value as? String).flatMap { ISO8601DateFormatter().date(from: $0) } }

    /// The prompts the person received on their primary platform, oldest first.
    static func prompts(_ api: API, to person: [String: Any]) -> [SimMessage] {
        guard let primary = person.primaryPlatform else { return [] }
        let home = (person["accounts"] as? [[String: Any]] ?? []).first { $0["platform"] as? String == primary.rawValue }
        return api.simulator.messages(organization: "acme").filter { $0.platform == primary && $0.to == home?["platform_user_id"] as? String }
    }

    static func path(_ link: String) -> String { String(link.dropFirst("http://usersync.test".count)) }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }

    /// Opens a consent link and allows at the simulated platform as `login`, like a browser;
    /// returns the path of the service's callback the platform redirects to, not yet followed.
    static func authorize(_ api: API, link: String, login: String) async throws -> String {
        let opened = try await api.call(.get, path(link), token: nil)
        #expect(opened.status == .found, "\(opened.text)")
        return try await api.signIn(at: try #require(opened.headers[.location]), login: login)
    }
}
