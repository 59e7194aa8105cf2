import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncTesting

/// The Auto Sync page over HTTP: a policy made from the live group picker, its runs, a held plan
/// approved from the page, and what a viewer may do.
@Suite struct ConsoleAutoSyncPageTests {
    struct Person: Decodable {
        struct Account: Decodable { let platform: String, platformUserId: String }
        let id: String
        let email: String
        let accounts: [Account]
        let platforms: [String]
    }

    struct People: Decodable { let items: [Person] }

    @Test func aPolicyFromTheGroupPickerRunsAndAHeldPlanIsApprovedOnThePage() async throws {
        try await withSimulatedAPI { api in
            _ = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams)
            _ = try await api.importAndWait(slack)
            _ = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let onTeams = try await api.call(.get, "/v1/orgs/acme/people?limit=200").decode(People.self).items.filter {
                $0.platforms.contains("teams")
            }
            try #require(onTeams.count >= 5)
            let userID = { (person: Person) in person.accounts.first { $0.platform == "teams" }!.platformUserId }
            let group = try #require(api.simulator.createGroup(organization: "acme", displayName: "Engineering"))
            #expect(api.simulator.addGroupMembers(organization: "acme", groupID: group, userIDs: onTeams[0..<5].map(userID)) == 5)

            let browser = try await ConsolePagesTests.signedIn(api)
            let empty = try await browser.get("/console/acme/auto-sync")
            #expect(empty.status == .ok && empty.text.contains("No policy yet"))
            let picker = try await browser.get("/console/acme/auto-sync?q=Engin")
            let value = "entra|\(teams)|\(group)|Engineering"
            #expect(picker.text.contains("value=\"\(value)\""), "the live picker offers the group")

            let created = try await browser.post(
                "/console/acme/auto-sync/policies",
                [
                    ("group", value), ("name", ""), ("primary_connection_id", teams), ("onto", slack), ("priority", "100"),
                    ("removes_on_leave", "on"), ("hold_over_count", ""), ("hold_over_percent", "10"),
                ])
            #expect(created.status == .seeOther, "\(created.text)")
            #expect(try await browser.follow(created).text.contains("Policy created"))
            let kept = { try await api.db.scalar("SELECT count(*) FROM syncs WHERE auto_sync_policy_id IS NOT NULL") }
            try await eventually(.seconds(90)) { try await kept() == 5 }
            try await api.waitForAutoSync()
            let page = try await browser.get("/console/acme/auto-sync")
            #expect(page.text.contains("Entra group “Engineering”") && page.text.contains("5 syncs started"), "\(page.text)")
            // A member's page says which policy holds them and what it decides.
            let member = try await browser.get("/console/acme/people/\(onTeams[2].id)")
            #expect(member.text.contains("“Engineering” (priority 100) syncs onto"), "\(member.text)")

            // Two of five leave upstream (40%, over the 10% limit): the page shows who would be removed.
            for person in onTeams[0..<2] { #expect(api.simulator.removeGroupMember(organization: "acme", groupID: group, userID: userID(person))) }
            try await eventually(.seconds(90)) {
                try await api.db.scalar("SELECT count(*) FROM auto_sync_runs WHERE state = 'held'") == 1
            }
            let held = try await browser.get("/console/acme/auto-sync")
            #expect(held.text.contains("Held for approval") && held.text.contains("Approve removals"))
            for person in onTeams[0..<2] { #expect(held.text.contains(person.email.lowercased()), "\(person.email) is named") }
            #expect(try await kept() == 5, "nothing is removed before approval")

            // A viewer sees the plan and cannot decide it.
            let viewer = try await ConsolePagesTests.signedIn(api, role: "viewer")
            let seen = try await viewer.get("/console/acme/auto-sync")
            #expect(seen.text.contains("Held for approval") && !seen.text.contains("Approve removals"))
            let run = try #require(try await api.call(.get, "/v1/orgs/acme/auto-sync/runs?state=held").decode(AutoSyncRunPage.self).items.first)
            #expect(try await viewer.post("/console/acme/auto-sync/runs/\(run.id)/approve").status == .forbidden)

            let approved = try await browser.post("/console/acme/auto-sync/runs/\(run.id)/approve")
            #expect(approved.status == .seeOther, "\(approved.text)")
            #expect(try await browser.follow(approved).text.contains("Approved: the held removals"))
            try await eventually(.seconds(90)) { try await kept() == 3 }
            #expect(try await browser.get("/console/acme/auto-sync").text.contains("approved"))
        }
    }
}
