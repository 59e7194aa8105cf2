import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@Suite("Listing users and teams through each connector")
struct ListingTests {
    @Test("a 10,000-person organization lists completely, with exact counts and no duplicates", arguments: Platform.allCases)
    func listsEveryUserOnce(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            let summary = platforms.simulator.createOrganization(name: "big", seed: 42, size: 10_000)
            let expected = summary.counts[platform.rawValue]!
            var ids = Set<String>()
            var pages = 0
            var accounts: [PlatformAccount] = []
            for try await page in platforms.connector(platform, organization: "big").users() {
                pages += 1
                for account in page {
                    #expect(ids.insert(account.platformUserID).inserted, "\(account.platformUserID) listed twice")
                }
                accounts += page
            }
            #expect(accounts.count == expected.listed)
            #expect(pages > 1)
            // Slackbot is flagged as a bot by id even though Slack may not flag it.
            #expect(accounts.filter(\.isBot).count == expected.bots + (platform == .slack ? 1 : 0))
            #expect(accounts.filter { !$0.isActive }.count == expected.deactivated)
            #expect(accounts.filter(\.isGuest).count == expected.guests)
            #expect(accounts.filter { !$0.isBot }.allSatisfy { !$0.emails.isEmpty }, "every person has an address")
            #expect(platforms.simulator.calls(platform, usersEndpoint[platform]!) >= pages)
        }
    }

    @Test("Graph users without a mailbox are matched by their UPN; guests' #EXT# UPNs are never used")
    func graphAddressFallbacks() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 3, size: 2_000)
            let accounts = try await platforms.connector(.teams, organization: "acme").users().collect()
            #expect(accounts.allSatisfy { $0.emails.allSatisfy { !$0.contains("#EXT#") } })
            #expect(accounts.contains { $0.isGuest })
            #expect(accounts.filter { !$0.isGuest }.allSatisfy { !$0.emails.isEmpty })
        }
    }

    @Test("Webex people keep every address; Zoom lists inactive users too")
    func webexAndZoomShapes() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 3, size: 3_000)
            let webex = try await platforms.connector(.webex, organization: "acme").users().collect()
            #expect(webex.contains { $0.emails.count > 1 })
            let zoom = try await platforms.connector(.zoom, organization: "acme").users().collect()
            #expect(zoom.contains { !$0.isActive })
            #expect(zoom.contains { $0.isActive })
        }
    }

    @Test("teams and their members", arguments: Platform.allCases)
    func teamsAndMembers(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            let summary = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 3_000)
            let connector = platforms.connector(platform, organization: "acme")
            let teams = try await connector.teams().collect()
            #expect(teams.count == summary.counts[platform.rawValue]!.teams)
            #expect(Set(teams.map(\.platformTeamID)).count == teams.count)
            let users = Set(try await connector.users().collect().map(\.platformUserID))
            var memberships = 0
            for team in teams {
                let members = try await connector.teamMembers(teamID: team.platformTeamID).collect()
                #expect(Set(members.map(\.platformUserID)).count == members.count)
                #expect(members.allSatisfy { users.contains($0.platformUserID) })
                if let count = team.memberCount { #expect(count == members.count) }
                memberships += members.count
            }
            // Every non-bot account is in one or two teams, so the teams overlap.
            let people = try await connector.users().collect().filter { !$0.isBot }.count
            #expect(memberships > people)
        }
    }

    @Test("an unknown team is a classified failure")
    func unknownTeam() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            for platform in Platform.allCases {
                let failure = await expectFailure {
                    _ = try await platforms.connector(platform, organization: "acme").teamMembers(teamID: "nope").collect()
                }
                #expect(failure?.cause == (platform == .slack ? .requestRejected : .targetNotFound), "\(platform)")
            }
        }
    }
}
