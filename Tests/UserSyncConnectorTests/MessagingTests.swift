import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@Suite("Direct messages and virtual accounts")
struct MessagingTests {
    static let prompt = DirectMessage(
        title: "Connect your account", text: "Authorize UserSync so colleagues on other platforms can reach you.",
        linkURL: "https://sync.example.com/consent/tok_123", linkLabel: "Authorize")

    /// An active, non-guest account on `platform`.
    static func someone(_ platforms: SimulatedPlatforms, on platform: Platform, active: Bool = true) -> SimPerson.Account? {
        platforms.simulator.people(organization: "acme", limit: 10_000)?.flatMap(\.accounts)
            .first { $0.platform == platform && $0.active == active && !$0.guest }
    }

    @Test("the bot's DM arrives with its link", arguments: Platform.allCases)
    func directMessageRoundTrip(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 300)
            let target = try #require(Self.someone(platforms, on: platform))
            let delivered = try await platforms.connector(platform, organization: "acme").sendDirectMessage(to: target.id, Self.prompt)
            #expect(delivered.platformMessageID != nil)
            let messages = platforms.simulator.messages(organization: "acme")
            #expect(messages.count == 1)
            #expect(messages.first?.to == target.id)
            #expect(messages.first?.platform == platform)
            #expect(messages.first?.link == Self.prompt.linkURL)
        }
    }

    @Test("a Teams DM installs the app for the user once, then reuses the chat")
    func teamsInstallsOnce() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 300)
            let target = try #require(Self.someone(platforms, on: .teams))
            let connector = platforms.connector(.teams, organization: "acme")
            _ = try await connector.sendDirectMessage(to: target.id, Self.prompt)
            _ = try await connector.sendDirectMessage(to: target.id, Self.prompt)
            #expect(platforms.simulator.calls(.teams, "installedApps.install") == 1)
            #expect(platforms.simulator.calls(.teams, "bot.token") == 1, "the bot token is cached")
            #expect(platforms.simulator.messages(organization: "acme").count == 2)
        }
    }

    @Test("two prompts to the same Teams user at once both arrive (the second install gets 409)")
    func concurrentTeamsPrompts() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 300)
            let target = try #require(Self.someone(platforms, on: .teams))
            let connection = platforms.connection(.teams, organization: "acme")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { _ = try await platforms.factory.connector(for: connection).sendDirectMessage(to: target.id, Self.prompt) }
                }
                try await group.waitForAll()
            }
            #expect(platforms.simulator.messages(organization: "acme").count == 4)
        }
    }

    @Test("DMs to missing or deactivated people are classified")
    func unreachablePeople() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 2_000)
            let slack = platforms.connector(.slack, organization: "acme")
            #expect(await expectFailure { _ = try await slack.sendDirectMessage(to: "UNOBODY", Self.prompt) }?.cause == .targetNotFound)
            let gone = try #require(Self.someone(platforms, on: .slack, active: false))
            #expect(await expectFailure { _ = try await slack.sendDirectMessage(to: gone.id, Self.prompt) }?.cause == .targetUnavailable)
            let blocked = try #require(Self.someone(platforms, on: .teams, active: false))
            let teams = platforms.connector(.teams, organization: "acme")
            #expect(await expectFailure { _ = try await teams.sendDirectMessage(to: blocked.id, Self.prompt) }?.cause == .targetUnavailable)
            let zoom = platforms.connector(.zoom, organization: "acme")
            #expect(await expectFailure { _ = try await zoom.sendDirectMessage(to: "nobody", Self.prompt) }?.cause == .targetNotFound)
            #expect(platforms.simulator.messages(organization: "acme").isEmpty)
        }
    }

    @Test("a Teams guest is invited and removed; removing it again is harmless")
    func teamsGuestRoundTrip() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 100)
            let connector = platforms.connector(.teams, organization: "acme")
            let guest = try await connector.createVirtualAccount(
                .init(
                    email: "outsider@partner.example.org", displayName: "Out Sider", redirectURL: "https://sync.example.com/welcome"))
            #expect(guest.kind == .guest)
            let invitation = try #require(platforms.simulator.invitations(organization: "acme").first)
            #expect(invitation.userID == guest.platformUserID)
            #expect(invitation.email == "outsider@partner.example.org")
            let listed = try await connector.users().collect().first { $0.platformUserID == guest.platformUserID }
            #expect(listed?.isGuest == true)
            #expect(listed?.emails == ["outsider@partner.example.org"])

            try await connector.deleteVirtualAccount(guest)
            #expect(platforms.simulator.invitations(organization: "acme").first?.deleted == true)
            try await connector.deleteVirtualAccount(guest)
            #expect(try await connector.users().collect().contains { $0.platformUserID == guest.platformUserID } == false)
        }
    }

    @Test("Slack and Webex use a bot persona; Zoom has no virtual accounts")
    func otherVirtualAccounts() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 20)
            let request = VirtualAccountRequest(email: "a@b.example", displayName: "A", redirectURL: "https://sync.example.com")
            for platform in [Platform.slack, .webex] {
                let account = try await platforms.connector(platform, organization: "acme").createVirtualAccount(request)
                #expect(account.kind == .botPersona)
            }
            let failure = await expectFailure { _ = try await platforms.connector(.zoom, organization: "acme").createVirtualAccount(request) }
            #expect(failure?.cause == .notSupported)
            #expect(failure?.fixer == .nobody)
        }
    }
}
