import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// The bulk forms of every action.
extension UserSyncScenarioTests {
    @Test("bulk primaries and syncs, by ids and by filter: each answers at once with counts, and the worker settles every sync")
    func bulkPrimariesAndSyncs() async throws {
        try await withSimulatedAPI(organizations: [("acme", 60)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            let undecided = try await Self.people(api) { $0.needsPrimaryChoice }
            let onTeams = undecided.filter { $0.activePlatforms.contains(.teams) }
            let notOnTeams = try #require(try await Self.people(api) { !$0.activePlatforms.contains(.teams) && $0.primaryPlatform != nil }.first)
            try #require(onTeams.count >= 4, "\(onTeams.count) undecided people on Teams")

            // By ids: three onto Teams; one more is not on Teams and keeps their primary.
            let chosen = Array(onTeams.prefix(3).map { $0.id })
            let byIDs = try await api.call(
                .post, "/v1/orgs/acme/people/primary",
                json: try jsonText(["platform": "teams", "person_ids": .strings(chosen + [notOnTeams.id])] as JSONBody))
            #expect(byIDs.status == .ok, "\(byIDs.text)")
            #expect(try byIDs.decode(TallyView.self).counts == ["updated": 3, "no_active_account": 1])
            for id in chosen {
                let person = try await api.personView(id)
                #expect(person.primaryPlatform == .teams && person.primary?.source == "admin")
            }
            #expect(try await api.personView(notOnTeams.id).primaryPlatform == notOnTeams.primaryPlatform)

            // By filter: everyone still undecided who is on Slack and Teams → Slack.
            let bothIDs = Set(undecided.filter { $0.activePlatforms.isSuperset(of: [.slack, .teams]) }.map { $0.id }).subtracting(chosen)
            try #require(!bothIDs.isEmpty, "the seed has undecided people on Slack and Teams")
            let byFilter = try await api.call(
                .post, "/v1/orgs/acme/people/primary",
                json: #"{"platform":"slack","filter":{"platforms":["slack","teams"],"needs_primary_choice":true}}"#)
            #expect(byFilter.status == .ok, "\(byFilter.text)")
            #expect(try byFilter.decode(TallyView.self).counts == ["updated": bothIDs.count])
            let everyone = try await api.personViews()
            #expect(Set(everyone.filter { $0.primaryPlatform == .slack && $0.primary?.source == "admin" }.map { $0.id }) == bothIDs)
            #expect(
                Set(try await api.personViews(query: "needs_primary_choice=true").map { $0.id })
                    == Set(undecided.map { $0.id }).subtracting(chosen).subtracting(bothIDs))
            try await api.choosePrimaries()

            // Syncs by ids onto Webex: two links, two stand-ins, and one person who lives on Webex.
            let people = try await api.personViews()
            let slackPrimary = people.filter { $0.primaryPlatform == .slack }
            let links = slackPrimary.filter { Self.presence($0, .webex) == .active }.prefix(2).map { $0.id }
            let standIns = slackPrimary.filter { Self.presence($0, .webex) == .none }.prefix(2).map { $0.id }
            let onWebex = try #require(people.first { $0.primaryPlatform == .webex }?.id)
            try #require(links.count == 2 && standIns.count == 2)
            let webex = connected.connections[.webex]!
            let ids = links + standIns + [onWebex]
            let syncs = try await api.call(
                .post, "/v1/orgs/acme/syncs", json: try jsonText(["connection_id": .string(webex), "person_ids": .strings(ids)] as JSONBody))
            #expect(syncs.status == .accepted, "\(syncs.text)")
            #expect(try syncs.decode(TallyView.self).counts == ["created": 4, "secondary_is_primary": 1])
            let again = try await api.call(
                .post, "/v1/orgs/acme/syncs", json: try jsonText(["connection_id": .string(webex), "person_ids": .strings(ids)] as JSONBody))
            #expect(try again.decode(TallyView.self).counts == ["exists": 4, "secondary_is_primary": 1])

            // Syncs by filter onto Zoom: everyone who lives on Teams.
            let teamsPrimary = people.filter { $0.primaryPlatform == .teams }
            let zoom = connected.connections[.zoom]!
            let byTeams = try await api.call(
                .post, "/v1/orgs/acme/syncs", json: #"{"connection_id":"\#(zoom)","filter":{"primary_platform":"teams"}}"#)
            #expect(byTeams.status == .accepted, "\(byTeams.text)")
            #expect(try byTeams.decode(TallyView.self).counts == ["created": teamsPrimary.count])
            try await api.waitForSyncsToSettle()

            let all = try await api.syncs()
            #expect(Set(all.filter { $0.platform == "webex" }.map { $0.person }) == Set(links + standIns))
            #expect(Set(all.filter { $0.platform == "zoom" }.map { $0.person }) == Set(teamsPrimary.map { $0.id }))
            #expect(all.count == 4 + teamsPrimary.count)
            for sync in all {
                let person = try #require(people.first { $0.id == sync.person })
                let (status, cause): (String, String) =
                    switch Self.presence(person, Platform(rawValue: sync.platform)!) {
                    case .active: ("pending", "awaiting_user_consent")
                    case .deactivated: ("failed", "secondary_account_deactivated")
                    case .none: sync.platform == "zoom" ? ("failed", "secondary_account_required") : ("synced", "bot_persona")
                    }
                #expect(sync.status == status && sync.cause == cause, "\(sync)")
            }
            // The worker settled them: the admin asked, the system did the rest.
            let standIn = try await api.personView(standIns[0])
            let one = try #require(standIn.syncs.first)
            #expect(Self.history(one).map { $0.actor.kind } == ["operator", "system"])
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
            let firstLinks = Dictionary(uniqueKeysWithValues: links.map { ($0.id, Self.prompts(api, to: $0).first?.link) })

            // Reprompt by filter: everyone just prompted is throttled, unless forced.
            let throttled = try await api.call(
                .post, "/v1/orgs/acme/people/actions", json: #"{"action":"reprompt","filter":{"sync_status":"pending"}}"#)
            #expect(throttled.status == .accepted, "\(throttled.text)")
            #expect(try throttled.decode(TallyView.self).counts == ["throttled": links.count])
            let forced = try await api.call(
                .post, "/v1/orgs/acme/people/actions", json: #"{"action":"reprompt","filter":{"sync_status":"pending"},"force":true}"#)
            #expect(try forced.decode(TallyView.self).counts == ["queued": links.count])
            try await eventually { links.allSatisfy { Self.prompts(api, to: $0).count == 2 } }
            // The new prompt is out; once its delivery is recorded, the old link is replaced.
            let firstLink = Self.path(try #require(firstLinks[links[0].id] ?? nil))
            try await eventually { try await api.call(.get, firstLink, token: nil).status == .gone }
            #expect(try await api.call(.get, firstLink, token: nil).text.contains("replaced"))
            let nothing = try await api.call(
                .post, "/v1/orgs/acme/people/actions",
                json: try jsonText(["action": "reprompt", "person_ids": .strings([standIns[0].id]), "force": true] as JSONBody))
            #expect(try nothing.decode(TallyView.self).counts == ["nothing_to_reprompt": 1])

            // Reset by ids: their syncs go and the admin's primary choice is cleared; nobody else's.
            let reset = [links[0].id, standIns[0].id]
            let resetting = try await api.call(
                .post, "/v1/orgs/acme/people/actions", json: try jsonText(["action": "reset", "person_ids": .strings(reset)] as JSONBody))
            #expect(resetting.status == .accepted, "\(resetting.text)")
            #expect(try resetting.decode(TallyView.self).counts == ["queued": 2])
            // The reset ends by clearing the primary choice, after its syncs are gone.
            try await eventually {
                for id in reset {
                    let person = try await api.personView(id)
                    if !person.syncs.isEmpty { return false }
                    if person.primary?.source == "admin" { return false }
                }
                return true
            }
            for id in reset {
                let person = try await api.personView(id)
                #expect(person.primary?.source != "admin", "\(person)")
            }
            #expect(try await api.personView(links[1].id).syncs.count == 1)

            // Remove by filter: everyone synced (the stand-ins not reset).
            let synced = Set(standIns.dropFirst().map { $0.id })
            #expect(Set(try await api.personViews(query: "sync_status=synced").map { $0.id }) == synced)
            let removing = try await api.call(.post, "/v1/orgs/acme/people/actions", json: #"{"action":"remove","filter":{"sync_status":"synced"}}"#)
            #expect(removing.status == .accepted, "\(removing.text)")
            #expect(try removing.decode(TallyView.self).counts == ["queued": synced.count])
            try await eventually {
                for id in synced where try await api.call(.get, "/v1/orgs/acme/people/\(id)").status != .notFound { return false }
                return true
            }
            let removed = try await Self.audit(api, "action=person.removed")
            #expect(Set(removed.compactMap { $0.targetId }) == synced)
            for id in reset + links.dropFirst().map(\.id) {
                #expect(try await api.call(.get, "/v1/orgs/acme/people/\(id)").status == .ok)
            }
        }
    }

    @Test("reset then remove of the same person, back to back: the person ends removed")
    func resetThenRemove() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .teams) == .none }.first)
            let id = person.id
            let sync = try await Self.startSync(api, person: id, onto: connected.connections[.teams]!)
            try await api.waitForSyncsToSettle()
            #expect(try await api.syncView(sync).virtualKind == "guest")
            // Deleting the guest upstream is slow: the reset is still queued or running when the removal comes.
            api.simulator.addFault(FaultRule(platform: .teams, endpoint: "user.delete", kind: .latency, latencyMs: 1500))

            let reset = try await api.call(.post, "/v1/orgs/acme/people/\(id)/reset")
            let remove = try await api.call(.delete, "/v1/orgs/acme/people/\(id)")
            #expect(try reset.status == .accepted && reset.decode(ActionView.self).jobId != nil, "\(reset.text)")
            #expect(remove.status == .accepted, "\(remove.text)")
            try await eventually {
                try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'person.reset' AND state IN ('queued', 'running')") == 0
            }
            #expect(api.simulator.invitations(organization: "acme").contains { $0.deleted }, "the reset ran")
            // The removal asked while the reset is live is a job of its own.
            #expect(try remove.decode(ActionView.self).jobId != nil, "\(remove.text)")
            let after = try await api.call(.get, "/v1/orgs/acme/people/\(id)")
            let removals = try await Self.audit(api, "action=person.removed&target_id=\(id)")
            #expect(after.status == .notFound, "\(after.text)")
            #expect(removals.count == 1)
        }
    }
}
