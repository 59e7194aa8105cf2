import Foundation
import PostgresNIO
import Testing
import UserSyncDomain

/// Auto Sync runs end to end: a policy's runs plan from the stored membership and apply through
/// the worker (syncs started by actor `auto_sync`, removals undone upstream), a hold waits for an
/// admin, and two policies on one person follow the priority rule.
@Suite struct AutoSyncRunAPITests {
    struct Person: Decodable {
        struct Primary: Decodable {
            let connectionId: String
            let platform: String?
            let source: String
            let chosenBy: String?
        }

        struct Sync: Decodable {
            let id: String
            let connectionId: String
            let virtualKind: String?
        }

        let id: String
        let email: String
        let platforms: [String]
        let primary: Primary?
        let syncs: [Sync]
    }

    struct SyncBody: Decodable {
        struct Event: Decodable {
            struct Actor: Decodable { let kind: String, id: String? }
            let actor: Actor
        }

        let history: [Event]
    }

    struct Policy: Decodable { let id: String, syncs: Int }

    struct Skips: Decodable { let skipsByReason: [String: Int] }

    func createPolicy(_ api: API, _ body: String) async throws -> String {
        let reply = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies", json: body)
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.decode(Policy.self).id
    }

    func runs(_ api: API, _ query: String = "") async throws -> [AutoSyncRunBody] {
        try await api.call(.get, "/v1/orgs/acme/auto-sync/runs\(query)").decode(AutoSyncRunPage.self).items
    }

    func person(_ api: API, _ id: String) async throws -> Person {
        try await api.call(.get, "/v1/orgs/acme/people/\(id)").decode(Person.self)
    }

    /// Asks for a run now and waits for it and what it started.
    func runNow(_ api: API, _ policy: String) async throws {
        let reply = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/runs")
        #expect(reply.status == .accepted, "\(reply.text)")
        try await api.waitForAutoSync()
    }

    @Test func aPolicySyncsItsMembersUnsyncsLeaversAndChangesNothingTwice() async throws {
        try await withSimulatedAPI { api in
            let org = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams)
            _ = try await api.importAndWait(slack)
            _ = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let onSlack = try await api.people(as: Person.self).filter { $0.primary?.platform == "slack" }
            // One who is only on Slack (a Teams guest), and two on both, whose primary the policy sets (linked).
            let guest = try #require(onSlack.first { !$0.platforms.contains("teams") })
            let members =
                try await [guest]
                + api.people(as: Person.self).filter { Set($0.platforms) == ["slack", "teams"] && $0.primary?.platform == nil }.prefix(2)
            try #require(members.count == 3)
            let email = { (person: Person) in person.email.lowercased() }
            try await api.seedGroup(org: org.id, group: "eng", users: members.map { ("u-\(email($0))", email($0), true) })

            let policy = try await createPolicy(
                api,
                #"""
                {"name":"Engineering","group":{"source":"scim","id":"eng"},"primary_connection_id":"\#(slack)",
                 "secondary_connection_ids":["\#(teams)"],"removal_hold":{}}
                """#)
            try await api.waitForAutoSync()

            let first = try #require(try await runs(api).first)
            #expect(first.trigger == "policy_created" && first.state == "applied" && first.policyId == policy)
            #expect(first.counts == .init(primaries: 2, starts: 3, handovers: 0, removals: 0, skips: 0, notOnAnyPlatform: 0))
            let detail = try await api.call(.get, "/v1/orgs/acme/auto-sync/runs/\(first.id)").decode(AutoSyncRunDetailBody.self)
            #expect(Set(detail.starts.map(\.personId)) == Set(members.map(\.id)))
            #expect(detail.startsByExpectation == ["guest": 1, "link": 2], "\(detail.startsByExpectation)")
            #expect(detail.starts.allSatisfy { $0.connectionId == teams && $0.platform == "teams" && !$0.email.isEmpty })

            var guestSync = ""
            for member in members {
                let synced = try await person(api, member.id)
                let sync = try #require(synced.syncs.first { $0.connectionId == teams }, "\(synced.email) was synced onto Teams")
                let history = try await api.call(.get, "/v1/orgs/acme/syncs/\(sync.id)").decode(SyncBody.self).history
                #expect(history.first?.actor.kind == "auto_sync" && history.first?.actor.id == policy)
                if synced.id == guest.id {
                    #expect(sync.virtualKind == "guest")
                    guestSync = sync.id
                }
            }
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/\(policy)").decode(Policy.self).syncs == 3)

            // The guest leaves the group: their sync goes, and the guest account with it upstream.
            try await api.removeFromGroup(org: org.id, group: "eng", users: ["u-\(email(guest))"])
            try await runNow(api, policy)
            let second = try #require(try await runs(api).first)
            #expect(second.trigger == "manual" && second.state == "applied" && second.counts.removals == 1)
            #expect(try await api.call(.get, "/v1/orgs/acme/syncs/\(guestSync)").status == .notFound)
            #expect(api.simulator.invitations(organization: "acme").contains { $0.deleted }, "the guest was removed upstream")
            #expect(try await person(api, members[1].id).syncs.contains { $0.connectionId == teams }, "the others stay")
            let audit = try await api.call(.get, "/v1/orgs/acme/audit?action=sync.removed").text
            #expect(audit.contains(guestSync) && audit.contains("auto_sync"))

            // The same membership again changes nothing and records no run.
            try await runNow(api, policy)
            #expect(try await runs(api).count == 2)
        }
    }

    @Test func removalsOverTheHoldWaitForAnAdminWhoApprovesOrRejects() async throws {
        try await withSimulatedAPI { api in
            let org = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), zoom = try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            let members = try await api.people(as: Person.self).filter { $0.primary?.platform == "slack" }.prefix(5).map { $0 }
            try #require(members.count == 5)
            let user = { (person: Person) in "u-\(person.id)" }
            try await api.seedGroup(org: org.id, group: "sales", users: members.map { (user($0), $0.email.lowercased(), true) })
            let policy = try await createPolicy(
                api,
                #"""
                {"name":"Sales","group":{"source":"scim","id":"sales"},"primary_connection_id":"\#(slack)",
                 "secondary_connection_ids":["\#(zoom)"],"removal_hold":{"over_percent":10}}
                """#)
            try await api.waitForAutoSync()
            let syncCount = { try await api.db.scalar("SELECT count(*) FROM syncs") }
            #expect(try await syncCount() == 5)

            // Two of five leave (40%, over 10%): the removals wait, nothing is removed.
            try await api.removeFromGroup(org: org.id, group: "sales", users: members[0..<2].map(user))
            try await runNow(api, policy)
            let held = try #require(try await runs(api, "?state=held").first)
            #expect(held.counts.removals == 2 && held.holdReason?.contains("40%") == true, "\(held)")
            #expect(try await syncCount() == 5)
            let heldDetail = try await api.call(.get, "/v1/orgs/acme/auto-sync/runs/\(held.id)").decode(AutoSyncRunDetailBody.self)
            #expect(Set(heldDetail.removals.map(\.email)) == Set(members[0..<2].map { $0.email.lowercased() }))
            // A viewer cannot decide; an admin approves and the two syncs go.
            let viewer = try await api.createKey("acme", role: "viewer")
            #expect(try await api.call(.post, "/v1/orgs/acme/auto-sync/runs/\(held.id)/approve", token: viewer.secret).status == .forbidden)
            let approved = try await api.call(.post, "/v1/orgs/acme/auto-sync/runs/\(held.id)/approve")
            #expect(approved.status == .ok, "\(approved.text)")
            #expect(try approved.decode(AutoSyncRunBody.self).state == "approved")
            try await api.waitForAutoSync()
            #expect(try await syncCount() == 3)
            let again = try await api.call(.post, "/v1/orgs/acme/auto-sync/runs/\(held.id)/approve")
            #expect(try again.status == .conflict && again.decode(ProblemReply.self).code == "run_not_held")

            // Two of the three left go too (67%): held again, and this time rejected. The syncs
            // stay, the policy lets go of them, and the next run proposes nothing.
            try await api.removeFromGroup(org: org.id, group: "sales", users: members[2..<4].map(user))
            try await runNow(api, policy)
            let second = try #require(try await runs(api, "?state=held").first)
            #expect(second.id != held.id && second.counts.removals == 2)
            let rejected = try await api.call(.post, "/v1/orgs/acme/auto-sync/runs/\(second.id)/reject")
            #expect(try rejected.decode(AutoSyncRunBody.self).state == "rejected")
            try await api.waitForAutoSync()
            #expect(try await syncCount() == 3)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/\(policy)").decode(Policy.self).syncs == 1)
            try await runNow(api, policy)
            #expect(try await runs(api, "?state=held").isEmpty)
            #expect(try await runs(api).count == 3, "a run that changes nothing is not recorded")

            // Paging: one run a page.
            let page = try await api.call(.get, "/v1/orgs/acme/auto-sync/runs?limit=1").decode(AutoSyncRunPage.self)
            let next = try #require(page.nextCursor)
            let following = try await api.call(.get, "/v1/orgs/acme/auto-sync/runs?limit=1&cursor=\(next)").decode(AutoSyncRunPage.self)
            #expect(following.items.count == 1 && following.items[0].id != page.items[0].id)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/runs?cursor=bm90LWEtcnVu").decode(ProblemReply.self).code == "invalid_cursor")
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/runs?state=lost").status == .badRequest)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/runs/\(UUID().lowercasedText)").status == .notFound)
        }
    }

    @Test func theLowestPriorityNumberChoosesThePrimaryOfSomeoneInTwoGroups() async throws {
        try await withSimulatedAPI { api in
            let org = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams), zoom = try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            _ = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let both = try #require(
                try await api.people(as: Person.self).first {
                    $0.platforms.contains("slack") && $0.platforms.contains("teams") && $0.primary?.platform == nil
                })
            let email = both.email.lowercased(), id = both.id
            try await api.seedGroup(org: org.id, group: "slackers", users: [("s-1", email, true)])
            try await api.seedGroup(org: org.id, group: "teamsters", users: [("t-1", email, true)])
            let onSlack = try await createPolicy(
                api,
                #"""
                {"name":"Slackers","group":{"source":"scim","id":"slackers"},"primary_connection_id":"\#(slack)",
                 "secondary_connection_ids":["\#(zoom)"],"priority":10}
                """#)
            let onTeams = try await createPolicy(
                api,
                #"""
                {"name":"Teamsters","group":{"source":"scim","id":"teamsters"},"primary_connection_id":"\#(teams)",
                 "secondary_connection_ids":["\#(zoom)"],"priority":20}
                """#)
            try await api.waitForAutoSync()

            var chosen = try await person(api, id)
            #expect(chosen.primary?.connectionId == slack && chosen.primary?.source == "auto_sync")
            #expect(chosen.primary?.chosenBy == "auto_sync:\(onSlack)")
            #expect(chosen.syncs.map(\.connectionId) == [zoom])
            // The Teams policy changed nothing (no run recorded); its plan says why.
            #expect(try await runs(api, "?policy_id=\(onTeams)").isEmpty)
            let skipped = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(onTeams)/preview").decode(Skips.self)
            #expect(skipped.skipsByReason == ["governed_by_another_policy": 1], "\(skipped.skipsByReason)")

            // The Teams policy takes the lead: its next run moves the primary.
            _ = try await api.call(.patch, "/v1/orgs/acme/auto-sync/policies/\(onTeams)", json: #"{"priority":5}"#)
            try await api.waitForAutoSync()
            chosen = try await person(api, id)
            #expect(chosen.primary?.connectionId == teams && chosen.primary?.chosenBy == "auto_sync:\(onTeams)")
            // The Slack policy's own run leaves it there.
            try await runNow(api, onSlack)
            #expect(try await person(api, id).primary?.connectionId == teams)

            // An admin's choice wins over both, since neither overrides it.
            _ = try await api.call(.put, "/v1/orgs/acme/people/\(id)/primary", json: #"{"platform":"slack"}"#)
            try await runNow(api, onTeams)
            chosen = try await person(api, id)
            #expect(chosen.primary?.connectionId == slack && chosen.primary?.source == "admin")
        }
    }
}
