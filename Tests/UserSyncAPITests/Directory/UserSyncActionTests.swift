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
        var person: PersonView
        var id: String
        var email: String
        var primary: Platform
        var secondary: Platform
        var sync: String
        var connected: Connected
        var secondaryUserID: String
    }

    static func linked(
        _ api: API, primary: Platform = .slack, secondary: Platform = .webex, where extra: (PersonView) -> Bool = { _ in true }
    ) async throws -> Linked {
        try await api.createOrganization("acme")
        let connected = try await api.connectAndImportAll()
        try await api.choosePrimaries(order: [primary] + Platform.allCases.filter { $0 != primary })
        let person = try #require(
            try await api.personViews().first { person in
                person.primaryPlatform == primary && person.activePlatforms.contains(secondary) && extra(person)
            })
        let id = person.id
        let reply = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[secondary]!)"}"#)
        #expect(reply.status == .created, "\(reply.text)")
        try await api.waitForSyncsToSettle()
        return Linked(
            person: person, id: id, email: person.email, primary: primary, secondary: secondary,
            sync: try reply.decode(SyncView.self).id, connected: connected, secondaryUserID: person.account(on: secondary)?.platformUserId ?? "")
    }

    /// A reprompt refused because the person was prompted recently (a problem with an extension).
    struct Throttled: Decodable {
        let code: String
        let nextPromptAllowedAt: Date?
    }

    /// The audit log's entries for `query`, newest first.
    static func audit(_ api: API, _ query: String) async throws -> [AuditEntryView] {
        let reply = try await api.call(.get, "/v1/orgs/acme/audit?\(query)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(Page<AuditEntryView>.self).items
    }

    static func prompts(_ api: API, to linked: Linked) -> [SimMessage] {
        let home = linked.person.account(on: linked.primary)
        return api.simulator.messages(organization: "acme").filter { $0.to == home?.platformUserId }
    }

    @Test("the prompt's link signs the person in; expired, used, replaced, tampered and unknown links change nothing")
    func consentLinks() async throws {
        try await withSimulatedAPI(organizations: [("acme", 80)]) { api in
            let linked = try await Self.linked(api)
            let pending = try await api.syncView(linked.sync)
            #expect(pending.status == "pending")
            #expect(pending.cause == "awaiting_user_consent")
            #expect(pending.fixAction?.isEmpty == false)
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
            #expect(try await api.syncView(linked.sync).status == "pending")

            let done = try await api.answerConsent(link, login: linked.email)
            #expect(done.status == .ok)
            #expect(done.text.contains("all set"))
            let synced = try await api.syncView(linked.sync)
            #expect(synced.status == "synced")
            #expect(synced.authorized == true)
            #expect(synced.linkedAccountId != nil)
            let history = try #require(synced.history)
            #expect(history.map(\.toStatus) == ["pending", "pending", "synced"])
            #expect(history.last?.actor.kind == "user")

            let reused = try await api.call(.get, String(link.dropFirst("http://usersync.test".count)), token: nil)
            #expect(reused.status == .gone)
            #expect(reused.text.contains("already used"))
            #expect(try await api.syncView(linked.sync).status == "synced")
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
            let failed = try await api.syncView(linked.sync)
            #expect(failed.status == "failed")
            #expect(failed.cause == "user_declined")

            // The first prompt was sent moments ago: a reprompt is throttled unless forced.
            let throttled = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt")
            #expect(throttled.status == .tooManyRequests)
            let refusal = try throttled.decode(Throttled.self)
            #expect(refusal.code == "reprompt_throttled")
            #expect(refusal.nextPromptAllowedAt != nil)
            #expect(throttled.headers[.retryAfter] != nil)
            let forced = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt", json: #"{"force":true}"#)
            #expect(forced.status == .accepted, "\(forced.text)")
            #expect(try forced.decode(ActionView.self).nextPromptAllowedAt != nil)
            try await eventually { Self.prompts(api, to: linked).count == 2 }
            // Pending again once the new prompt's delivery is recorded, which replaces the old link.
            try await eventually { try await api.syncView(linked.sync).cause == "awaiting_user_consent" }
            let second = try #require(Self.prompts(api, to: linked).last?.link)
            #expect(second != first)
            let replaced = try await api.call(.get, String(first.dropFirst("http://usersync.test".count)), token: nil)
            #expect(replaced.status == .gone)
            #expect(try await api.answerConsent(second, login: linked.email).status == .ok)
            #expect(try await api.syncView(linked.sync).status == "synced")
            // Nothing waits for the person any more.
            let nothing = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt", json: #"{"force":true}"#)
            #expect(try nothing.decode(ProblemReply.self).code == "nothing_to_reprompt")
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
            #expect(try await api.syncView(linked.sync).cause == "awaiting_user_consent")

            // The bot cannot post on the primary platform: the new prompt does not go out.
            api.simulator.addFault(FaultRule(platform: linked.primary, endpoint: "chat.postMessage", kind: .serverError, every: 1))
            #expect(try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reprompt", json: #"{"force":true}"#).status == .accepted)
            try await eventually {
                let sync = try await api.syncView(linked.sync)
                return sync.cause != "awaiting_user_consent" && sync.nextRetryAt != nil
            }
            #expect(Self.prompts(api, to: linked).count == 1)
            // The link the person has still works (while the retries keep failing).
            #expect(try await api.answerConsent(link, login: linked.email).status == .ok)
            #expect(try await api.syncView(linked.sync).status == "synced")
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
            #expect(try await api.syncView(linked.sync).status == "synced")
            // The checks keep working tokens quietly: two checks (a second apart) leave it synced.
            let checked = { try await api.db.scalar("SELECT count(*) FROM syncs WHERE user_tokens_checked_at IS NOT NULL AND id = '\(linked.sync)'") }
            try await eventually(.seconds(60), "the tokens were never checked") { try await checked() == 1 }
            try await api.db.adminQuery("UPDATE syncs SET user_tokens_checked_at = NULL")
            try await eventually(.seconds(60), "the tokens were checked only once") { try await checked() == 1 }
            #expect(try await api.syncView(linked.sync).status == "synced")

            #expect(api.simulator.revoke(organization: "acme", platform: .zoom, userID: linked.secondaryUserID))
            try await eventually { try await api.syncView(linked.sync).status == "failed" }
            let failed = try await api.syncView(linked.sync)
            #expect(failed.cause == "user_authorization_rejected")
            #expect(failed.authorized == false)
            #expect(failed.fixAction?.contains("new link") == true)
            try await eventually { Self.prompts(api, to: linked).count == 2 }
            let page = try await api.answerConsent(try #require(Self.prompts(api, to: linked).last?.link), login: linked.email)
            #expect(page.status == .ok)
            #expect(try await api.syncView(linked.sync).status == "synced")
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
            #expect(try await api.syncView(try guestSync.decode(SyncView.self).id).virtualKind == "guest")
            let tokensBefore = api.simulator.tokens(organization: "acme")

            let reset = try await api.call(.post, "/v1/orgs/acme/people/\(linked.id)/reset")
            #expect(reset.status == .accepted, "\(reset.text)")
            // The reset's last step writes its audit entry.
            try await eventually { try await Self.audit(api, "target_id=\(linked.id)&action=person.reset").count == 1 }
            let person = try await api.personView(linked.id)
            #expect(person.syncs.isEmpty)
            #expect(person.primary?.source != "admin", "the admin's choice is cleared")
            #expect(try await api.call(.get, "/v1/orgs/acme/syncs/\(linked.sync)").status == .notFound)
            let revoked = api.simulator.tokens(organization: "acme").filter { $0.revoked }.count
            #expect(revoked > tokensBefore.filter { $0.revoked }.count, "the person's Zoom tokens were revoked upstream")
            #expect(api.simulator.invitations(organization: "acme").contains { $0.deleted }, "the guest was removed upstream")
            let audit = try await Self.audit(api, "target_id=\(linked.id)")
            #expect(audit.map(\.action).contains("person.reset"))

            let removed = try await api.call(.delete, "/v1/orgs/acme/people/\(linked.id)")
            #expect(removed.status == .accepted)
            try await eventually { try await api.call(.get, "/v1/orgs/acme/people/\(linked.id)").status == .notFound }
            let removal = try await Self.audit(api, "action=person.removed")
            #expect(removal.first?.details["email"] == linked.email)
            // A later import brings them back as new, unsynced people.
            _ = try await api.importAndWait(linked.connected.connections[.slack]!)
            let back = try #require(try await api.personViews(query: "q=\(linked.email)").first)
            #expect(back.id != linked.id)
            #expect(back.syncs.isEmpty)
        }
    }

    @Test("syncs are refused without a primary, onto the primary's platform, onto a connection that is not connected; an existing one is returned")
    func refusals() async throws {
        try await withSimulatedAPI(organizations: [("acme", 80)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            // Someone undecided who is missing from at least one platform.
            let undecided = try #require(
                try await api.personViews(query: "needs_primary_choice=true").first {
                    $0.activePlatforms.count < Platform.allCases.count
                })
            let id = undecided.id
            let zoom = connected.connections[.zoom]!
            let noPrimary = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(zoom)"}"#)
            #expect(noPrimary.status == .conflict)
            #expect(try noPrimary.decode(ProblemReply.self).code == "primary_required")

            let platforms = undecided.activePlatforms
            let notThere = try #require(Platform.allCases.first { !platforms.contains($0) })
            let wrong = try await api.call(.put, "/v1/orgs/acme/people/\(id)/primary", json: #"{"platform":"\#(notThere.rawValue)"}"#)
            #expect(wrong.status == .unprocessableContent)
            #expect(try wrong.decode(ProblemReply.self).detail.contains(platforms.first!.rawValue), "the choices are named: \(wrong.text)")
            let home = platforms.sorted { $0.rawValue < $1.rawValue }[0]
            let chosen = try await api.call(.put, "/v1/orgs/acme/people/\(id)/primary", json: #"{"platform":"\#(home.rawValue)"}"#)
            #expect(chosen.status == .ok, "\(chosen.text)")
            let chosenPerson = try chosen.decode(PersonView.self)
            #expect(chosenPerson.primaryPlatform == home)
            #expect(chosenPerson.needsPrimaryChoice == false)

            let same = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[home]!)"}"#)
            #expect(same.status == .unprocessableContent)
            #expect(try same.decode(ProblemReply.self).errors?.first?.code == "secondary_is_primary")

            let other = Platform.allCases.first { $0 != home }!
            let first = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[other]!)"}"#)
            #expect(first.status == .created)
            let again = try await api.call(.post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[other]!)"}"#)
            #expect(again.status == .ok)
            #expect(try again.decode(SyncView.self).id == first.decode(SyncView.self).id)

            let third = Platform.allCases.first { $0 != home && $0 != other }!
            _ = try await api.call(.delete, "/v1/orgs/acme/connections/\(connected.connections[third]!)")
            let disconnected = try await api.call(
                .post, "/v1/orgs/acme/people/\(id)/syncs", json: #"{"connection_id":"\#(connected.connections[third]!)"}"#)
            #expect(disconnected.status == .conflict)
            #expect(try disconnected.decode(ProblemReply.self).code == "connection_not_connected")
            // Disconnecting the secondary of a sync fails it with the cause.
            _ = try await api.call(.delete, "/v1/orgs/acme/connections/\(connected.connections[other]!)")
            let gone = try await api.syncView(try first.decode(SyncView.self).id)
            #expect(gone.status == "failed")
            #expect(gone.cause == "connection_disconnected")
        }
    }
}
