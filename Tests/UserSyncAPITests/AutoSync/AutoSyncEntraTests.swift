import Foundation
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncTesting

/// Auto Sync on an Entra group, followed through Microsoft Graph delta queries against the
/// simulator: the worker polls (every second in tests), stores membership and delta links, and
/// runs the policy when the group changes upstream.
@Suite struct AutoSyncEntraTests {
    struct Person: Decodable {
        struct Account: Decodable { let platform: String, platformUserId: String }
        let id: String
        let accounts: [Account]
        let platforms: [String]
    }

    struct Page: Decodable { let items: [Person], nextCursor: String? }

    @Test func anEntraGroupIsFollowedJoinersSyncedLeaversUnsyncedAnExpiredLinkResynced() async throws {
        try await withSimulatedAPI { api in
            _ = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams)
            _ = try await api.importAndWait(slack)
            _ = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let people = try await api.call(.get, "/v1/orgs/acme/people?limit=200").decode(Page.self).items
            let onTeams = people.filter { $0.platforms.contains("teams") }
            try #require(onTeams.count >= 5)
            let userID = { (person: Person) in person.accounts.first { $0.platform == "teams" }!.platformUserId }
            let group = try #require(api.simulator.createGroup(organization: "acme", displayName: "Engineering"))
            #expect(api.simulator.addGroupMembers(organization: "acme", groupID: group, userIDs: onTeams[0..<3].map(userID)) == 3)

            let created = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json: #"""
                    {"name":"Engineering","group":{"source":"entra","connection_id":"\#(teams)","id":"\#(group)","display_name":"Engineering"},
                     "primary_connection_id":"\#(teams)","secondary_connection_ids":["\#(slack)"],"removal_hold":{}}
                    """#)
            #expect(created.status == .created, "\(created.text)")
            let policy = try created.decode(IdentifiedView.self).id
            let kept = { try await api.db.scalar("SELECT count(*) FROM syncs WHERE auto_sync_policy_id = '\(policy)'") }

            // The first poll reads the whole group; its run syncs the three members onto Slack.
            try await eventually(.seconds(90)) { try await kept() == 3 }
            try await api.waitForAutoSync()

            // A member added upstream is synced within one poll.
            #expect(api.simulator.addGroupMember(organization: "acme", groupID: group, userID: userID(onTeams[3])))
            try await eventually(.seconds(90)) { try await kept() == 4 }

            // A member removed upstream is unsynced.
            #expect(api.simulator.removeGroupMember(organization: "acme", groupID: group, userID: userID(onTeams[0])))
            try await eventually(.seconds(90)) { try await kept() == 3 }
            #expect(try await api.db.scalar("SELECT count(*) FROM syncs WHERE person_id = '\(onTeams[0].id)' AND connection_id = '\(slack)'") == 0)

            // Graph forgets the delta link (410 Gone): the group is read again whole and the state converges.
            #expect(api.simulator.expireDeltaTokens(organization: "acme"))
            #expect(api.simulator.removeGroupMember(organization: "acme", groupID: group, userID: userID(onTeams[1])))
            #expect(api.simulator.addGroupMember(organization: "acme", groupID: group, userID: userID(onTeams[4])))
            let keeps = { (person: Person) in
                try await api.db.scalar("SELECT count(*) FROM syncs WHERE auto_sync_policy_id = '\(policy)' AND person_id = '\(person.id)'")
            }
            try await eventually(.seconds(90)) {
                let left = try await keeps(onTeams[1]), joined = try await keeps(onTeams[4])
                return left == 0 && joined == 1
            }
            #expect(try await kept() == 3)
            let audit = try await api.call(.get, "/v1/orgs/acme/audit?action=auto_sync.group_resynced").text
            #expect(audit.contains(group), "the resync is reported: \(audit)")
            let members = try await api.db.scalar(
                "SELECT count(*) FROM directory_group_members WHERE source = 'entra' AND group_id = '\(group)'")
            #expect(members == Int64(api.simulator.groupMembers(organization: "acme", groupID: group)?.count ?? -1))
            let runs = try await api.call(.get, "/v1/orgs/acme/auto-sync/runs?policy_id=\(policy)").decode(AutoSyncRunPage.self).items
            #expect(runs.contains { $0.trigger == "membership_changed" } && runs.allSatisfy { $0.state == "applied" })
        }
    }
}
