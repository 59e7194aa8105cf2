import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// One person's link sync, from the prompt to consent, its failures, and the actions on it.
@Suite struct UserSyncActionTests {
    /// A person active on two platforms, their primary chosen, and a link sync onto the other one
    /// that has sent its prompt.
    struct Linked {
        var person: [String: Any]
        var id: String
        var email: String
        var primary: Platform
        var secondary: Platform
        var sync: String
        var connected: Connected
        var secondaryUserID: String
    }

    static func linked(
        _ api: API, primary: Platform = .slack, secondary: Platform = .webex, where extra: ([String: Any]) -> Bool = { _ in true }
    ) async throws -> Linked {
        try await api.createOrganization("acme")
        let connected = try await api.connectAndImportAll()
        try await api.choosePrimaries(order: [primary] + Platform.allCases.filter { $0 != primary })
        let person = try #require(
            try await api.allPeople().first { person in
                person.primaryPlatform == primary && person.activePlatforms.contains(secondary) && extra(person)
            })
        let id = person["id"] as! String
        let reply = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[secondary]!)"}"#)
        #expect(reply.status == .created, "\(reply.text)")
        try await api.waitForSyncsToSettle()
        let account = (person["accounts"] as? [[String: Any]] ?? []).first { $0["platform"] as? String == secondary.rawValue }
        return Linked(
            person: person, id: id, email: person["email"] as! String, primary: primary, secondary: secondary,
            sync: reply["id"] as! String, connected: connected, secondaryUserID: account?["platform_user_id"] as? String ?? "")
    }

    static func prompts(_ api: API, to linked: Linked) -> [SimMessage] {
        let home = (linked.person["accounts"] as? [[String: Any]] ?? []).first { $0["platform"] as? String == linked.primary.rawValue }
        return api.simulator.messages(organization: "acme").filter { $0.to == home?["platform_user_id"] as? String }
    }

    @Test("the prompt's link signs the person in; expired, used, replaced, tampered and unknown links change nothing")
    func consentLinks() async throws {
        try await withSimulatedAPI(organizations: [("acme", 80)]) { api in
            let linked = try await Self.linked(api)
            let pending = try await api.sync(linked.sync)
            #expect(pending["status"] as? String == "pending")
            #expect(pending["cause"] as? String == "awaiting_user_consent")
            #expect((pending["fix_action"] as? String)?.isEmpty == false)
            let prompts = Self.prompts(api, to: linked)
            #expect(prompts.count == 1)
            #expect(prompts.first?.platform == linked.primary)
            let link = try #require(prompts.first?.link)
            #expect(link.hasPrefix("http://usersync.test/consent/usc_"))

            let token = try #require(link.components(separatedBy: "/consent/").last)
            for bad in [
                "nonsense", "usc_00000000000000000000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", String(token.dropLast(2)) + "xx",
            ] {
                let page = try await api.call(.get, "/consent/\(bad)", token: nil)
                #expect(page.status == .notFound, "\(bad): \(page.status)")
                #expect(page.headers[.contentType]?.hasPrefix("text/html") == true, "\(bad): \(page.headers) \(page.text)")
            }
            let tampered = try await api.call(
                .get, "/oauth/webex/callback?code=x&state=uss_00000000000000000000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                token: nil)
            #expect(tampered.status == .badRequest)
            #expect(try await api.sync(linked.sync)["status"] as? String == "pending")

            let done = try await api.answerConsent(link, login: linked.email)
            #expect(done.status == .ok)
            #expect(done.text.contains("all set"))
            let synced = try await api.sync(linked.sync)
            #expect(synced["status"] as? String == "synced")
            #expect(synced["authorized"] as? Bool == true)
            #expect(synced["linked_account_id"] is String)
            let history = try #require(synced["history"] as? [[String: Any]])
            #expect(history.map { $0["to_status"] as? String } == ["pending", "pending", "synced"])
            #expect((history.last?["actor"] as? [String: Any])?["kind"] as? String == "user")

            let reused = try await api.call(.get, String(link.dropFirst("http://usersync.test".count)), token: nil)
            #expect(reused.status == .gone)
            #expect(reused.text.contains("already used"))
            #expect(try await api.sync(linked.sync)["status"] as? String == "synced")
        }
    }

    @Test("declining at the platform fails the sync with user_declined; a reprompt sends a fresh link and the old one stops working")
    func declineAndReprompt() async throws {
        try await withSimulatedAPI(
            organizations: [("acme", 80)],
            sync: {
                var s = testSyncSettings()
                s.repromptInterval = .seconds(3600)
                return s
            }()
        ) { api in
            let linked = try await Self.linked(api)
            let first = try #require(Self.prompts(api, to: linked).first?.link)
            let declined = try await api.answerConsent(first, login: linked.email, allow: false)
            #expect(declined.status == .ok)
            #expect(declined.text.contains("declined"))
            let failed = try await api.sync(linked.sync)
            #expect(failed["status"] as? String == "failed")
            #expect(failed["cause"] as? String == "user_declined")

            // The first prompt was sent moments ago: a reprompt is throttled unless forced.
            let throttled = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt")
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.code == "reprompt_throttled")
            #expect(throttled["next_prompt_allowed_at"] is String)
            #expect(throttled.headers[.retryAfter] != nil)
            let forced = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt", json: #"{"force":true}"#)
            #expect(forced.status == .accepted, "\(forced.text)")
            #expect(forced["next_prompt_allowed_at"] is String)
            try await eventually { Self.prompts(api, to: linked).count == 2 }
            // Pending again once the new prompt's delivery is recorded, which replaces the old link.
            try await eventually { try await api.sync(linked.sync)["cause"] as? String == "awaiting_user_consent" }
            let second = try #require(Self.prompts(api, to: linked).last?.link)
            #expect(second != first)
            let replaced = try await api.call(.get, String(first.dropFirst("http://usersync.test".count)), token: nil)
            #expect(replaced.status == .gone)
            #expect(try await api.answerConsent(second, login: linked.email).status == .ok)
            #expect(try await api.sync(linked.sync)["status"] as? String == "synced")
            // Nothing waits for the person any more.
            let nothing = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt", json: #"{"force":true}"#)
            #expect(nothing.code == "nothing_to_reprompt")
        }
    }

    @Test("a platform error at sign-in is no refusal, and a reprompt whose message does not go out leaves the working link alone")
    func platformErrorsKeepTheLink() async throws {
        try await withSimulatedAPI(organizations: [("acme", 80)]) { api in
            let linked = try await Self.linked(api)
            let link = try #require(Self.prompts(api, to: linked).first?.link)
            let opened = try await api.call(.get, String(link.dropFirst("http://usersync.test".count)), token: nil)
            let authorize = try #require(opened.headers[.location].flatMap(URLComponents.init(string:)))
            let state = try #require(authorize.queryItems?.first { $0.name == "state" }?.value)
            let failed = try await api.call(
                .get, "/oauth/\(linked.secondary.rawValue)/callback?error=server_error&error_description=try%20later&state=\(state)", token: nil)
            #expect(failed.status == .badGateway && failed.text.contains("try later"), "\(failed.text)")
            #expect(try await api.sync(linked.sync)["cause"] as? String == "awaiting_user_consent")

            // The bot cannot post on the primary platform: the new prompt does not go out.
            api.simulator.addFault(FaultRule(platform: linked.primary, endpoint: "chat.postMessage", kind: .serverError, every: 1))
            #expect(try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt", json: #"{"force":true}"#).status == .accepted)
            try await eventually {
                let sync = try await api.sync(linked.sync)
                return sync["cause"] as? String != "awaiting_user_consent" && sync["next_retry_at"] is String
            }
            #expect(Self.prompts(api, to: linked).count == 1)
            // The link the person has still works (while the retries keep failing).
            #expect(try await api.answerConsent(link, login: linked.email).status == .ok)
            #expect(try await api.sync(linked.sync)["status"] as? String == "synced")
            api.simulator.clearFaults()
        }
    }

    @Test("Auto Heal, user side: revoked tokens fail the sync and prompt the person, whose consent heals it")
    func revokedTokensHeal() async throws {
        var settings = testSyncSettings()
        settings.tokenCheckInterval = .seconds(1)
        try await withSimulatedAPI(organizations: [("acme", 80)], sync: settings) { api in
            let linked = try await Self.linked(api, primary: .slack, secondary: .zoom)
            #expect(try await api.answerConsent(try #require(Self.prompts(api, to: linked).first?.link), login: linked.email).status == .ok)
            #expect(try await api.sync(linked.sync)["status"] as? String == "synced")
            // The checks keep working tokens quietly.
            try await Task.sleep(for: .seconds(2))
            #expect(try await api.sync(linked.sync)["status"] as? String == "synced")

            #expect(api.simulator.revoke(organization: "acme", platform: .zoom, userID: linked.secondaryUserID))
            try await eventually { try await api.sync(linked.sync)["status"] as? String == "failed" }
            let failed = try await api.sync(linked.sync)
            #expect(failed["cause"] as? String == "user_authorization_rejected")
            #expect(failed["authorized"] as? Bool == false)
            #expect((failed["fix_action"] as? String)?.contains("new link") == true)
            try await eventually { Self.prompts(api, to: linked).count == 2 }
            let page = try await api.answerConsent(try #require(Self.prompts(api, to: linked).last?.link), login: linked.email)
            #expect(page.status == .ok)
            #expect(try await api.sync(linked.sync)["status"] as? String == "synced")
        }
    }

    @Test("reset revokes tokens and removes guests upstream, deletes the syncs and clears the primary choice; remove deletes the person")
    func resetAndRemove() async throws {
        try await withSimulatedAPI(organizations: [("acme", 80)]) { api in
            // Someone with no Teams account, so that their Teams sync is a guest.
            let linked = try await Self.linked(api, primary: .slack, secondary: .zoom) { !$0.accountPlatforms.contains(.teams) }
            #expect(try await api.answerConsent(try #require(Self.prompts(api, to: linked).first?.link), login: linked.email).status == .ok)
            let teams = linked.connected.connections[.teams]!
            let guestSync = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/syncs", json: #"{"connection_id":"\#(teams)"}"#)
            try await api.waitForSyncsToSettle()
            #expect(try await api.sync(try #require(guestSync["id"] as? String, "\(guestSync.text)"))["virtual_kind"] as? String == "guest")
            let tokensBefore = api.simulator.tokens(organization: "acme")

            let reset = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reset")
            #expect(reset.status == .accepted, "\(reset.text)")
            // The reset's last step writes its audit entry.
            try await eventually {
                try await api.call(.get, "/v1/orgs/acme/audit?target_id=\(linked.id)&action=person.reset").items.count == 1
            }
            let person = try await api.call(.get, "/v1/orgs/acme/people/\(linked.id)")
            #expect((person["syncs"] as? [Any])?.isEmpty == true)
            #expect((person["primary"] as? [String: Any])?["source"] as? String != "admin", "the admin's choice is cleared")
            #expect(try await api.call(.get, "/v1/orgs/acme/syncs/\(linked.sync)").status == .notFound)
            let revoked = api.simulator.tokens(organization: "acme").filter { $0.revoked }.count
            #expect(revoked > tokensBefore.filter { $0.revoked }.count, "the person's Zoom tokens were revoked upstream")
            #expect(api.simulator.invitations(organization: "acme").contains { $0.deleted }, "the guest was removed upstream")
            let audit = try await api.call(.get, "/v1/orgs/acme/audit?target_id=\(linked.id)")
            #expect(audit.items.map { $0["action"] as? String }.contains("person.reset"))

            let removed = try await api.call(.delete, "/v1/orgs/acme/people/\(linked.id)")
            #expect(removed.status == .accepted)
            try await eventually { try await api.call(.get, "/v1/orgs/acme/people/\(linked.id)").status == .notFound }
            let removal = try await api.call(.get, "/v1/orgs/acme/audit?action=person.removed")
            #expect(removal.items.first?["details"].flatMap { ($0 as? [String: String])?["email"] } == linked.email)
            // A later import brings them back as new, unsynced people.
            _ = try await api.importAndWait(linked.connected.connections[.slack]!)
            let back = try #require(try await api.allPeople(query: "q=\(linked.email)").first)
            #expect(back["id"] as? String != linked.id)
            #expect((back["syncs"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("syncs are refused without a primary, onto the primary's platform, onto a connection that is not connected; an existing one is returned")
    func refusals() async throws {
        try await withSimulatedAPI(organizations: [("acme", 80)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            // Someone undecided who is missing from at least one platform.
            let undecided = try #require(
                try await api.allPeople(query: "needs_primary_choice=true").first {
                    $0.activePlatforms.count < Platform.allCases.count
                })
            let id = undecided["id"] as! String
            let zoom = connected.connections[.zoom]!
            let noPrimary = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(zoom)"}"#)
            #expect(noPrimary.status == .conflict)
            #expect(noPrimary.code == "primary_required")

            let platforms = undecided.activePlatforms
            let notThere = try #require(Platform.allCases.first { !platforms.contains($0) })
            let wrong = try await api.call(.put, "/v1/orgs/acme/people/\(id)/primary", json: #"{"platform":"\#(notThere.rawValue)"}"#)
            #expect(wrong.status == .unprocessableContent)
            #expect((wrong["detail"] as? String)?.contains(platforms.first!.rawValue) == true, "the choices are named: \(wrong.text)")
            let home = platforms.sorted { $0.rawValue < $1.rawValue }[0]
            let chosen = try await api.call(.put, "/v1/orgs/acme/people/\(id)/primary", json: #"{"platform":"\#(home.rawValue)"}"#)
            #expect(chosen.status == .ok, "\(chosen.text)")
            #expect(chosen.json.primaryPlatform == home)
            #expect(chosen["needs_primary_choice"] as? Bool == false)

            let same = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[home]!)"}"#)
            #expect(same.status == .unprocessableContent)
            #expect((same["errors"] as? [[String: Any]])?.first?["code"] as? String == "secondary_is_primary")

            let other = Platform.allCases.first { $0 != home }!
            let first = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[other]!)"}"#)
            #expect(first.status == .created)
            let again = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[other]!)"}"#)
            #expect(again.status == .ok)
            #expect(again["id"] as? String == first["id"] as? String)

            let third = Platform.allCases.first { $0 != home && $0 != other }!
            _ = try await api.call(.delete, "/v1/orgs/acme/connections/\(connected.connections[third]!)")
            let disconnected = try await api.call(
                .post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[third]!)"}"#)
            #expect(disconnected.status == .conflict)
            #expect(disconnected.code == "connection_not_connected")
            // Disconnecting the secondary of a sync fails it with the cause.
            _ = try await api.call(.delete, "/v1/orgs/acme/connections/\(connected.connections[other]!)")
            let gone = try await api.sync(first["id"] as! String)
            #expect(gone["status"] as? String == "failed")
            #expect(gone["cause"] as? String == "connection_disconnected")
        }
    }
}
