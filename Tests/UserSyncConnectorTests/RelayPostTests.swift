import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Connections to the simulated organization `acme` with the relay's secrets as the simulator made them.
enum RelayPlatforms {
    static let webhookSecret = "relay-webhook-secret-made-by-usersync"

    static func connection(_ platforms: SimulatedPlatforms, _ platform: Platform) -> ConnectorFactory.Connection {
        var connection = platforms.connection(platform, organization: "acme")
        let made = platforms.simulator.summary(organization: "acme")!.credentials
        switch connection.credentials {
        case .slack(var credentials):
            credentials.signingSecret = made.slack.signingSecret
            connection.credentials = .slack(credentials)
        case .teams(var credentials):
            credentials.botAppID = made.teams.botAppID
            connection.credentials = .teams(credentials)
        case .zoom(var credentials):
            credentials.webhookSecretToken = made.zoom.webhookSecretToken
            connection.credentials = .zoom(credentials)
        case .webex(var credentials):
            credentials.webhookSecret = webhookSecret
            connection.credentials = .webex(credentials)
        }
        return connection
    }

    static func relay(_ platforms: SimulatedPlatforms, _ platform: Platform) -> any PlatformConnector & RelayConnector {
        platforms.factory.relayConnector(for: connection(platforms, platform))
    }

    /// Two active people of `platform` who can be messaged.
    static func people(_ platforms: SimulatedPlatforms, on platform: Platform) throws -> (String, String) {
        let accounts = platforms.simulator.people(organization: "acme", limit: 10_000)?.flatMap(\.accounts) ?? []
        let ids = accounts.filter { $0.platform == platform && $0.active && !$0.pending && !$0.guest }.map(\.id)
        try #require(ids.count >= 2)
        return (ids[0], ids[1])
    }

    /// The person's own tokens, as if they had just authorized UserSync.
    static func tokens(_ platforms: SimulatedPlatforms, _ platform: Platform, _ user: String) throws -> UserTokens {
        let granted = try #require(platforms.simulator.grantUserToken(organization: "acme", platform: platform, userID: user))
        return UserTokens(
            accessToken: granted.accessToken, refreshToken: granted.refreshToken, expiresAt: Date().addingTimeInterval(Double(granted.expiresIn)),
            scope: nil, platformUserID: user)
    }

    static func inbox(_ platforms: SimulatedPlatforms, _ platform: Platform, _ user: String, _ id: String) -> SimInboxMessage? {
        platforms.simulator.inbox(organization: "acme", platform: platform, user: user)?.first { $0.id == id }
    }
}

@Suite("Relay: posting, editing and deleting on each platform")
struct RelayPostTests {
    static let persona = RelaySender.persona(name: "Ada Lovelace", avatarURL: "https://avatars.example/ada.png", label: "via Teams")

    @Test("a persona's message comes from the bot with the name and label, threads, and is edited and deleted", arguments: Platform.allCases)
    func persona(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (recipient, _) = try RelayPlatforms.people(platforms, on: platform)
            let relay = RelayPlatforms.relay(platforms, platform)
            let posted = try await relay.post(RelayPost(sender: Self.persona, recipientUserID: recipient, text: "hello from Teams"))
            let arrived = try #require(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID))
            #expect(arrived.from == "bot")
            #expect(arrived.name == "Ada Lovelace")
            #expect(arrived.label == "via Teams")
            #expect(arrived.text.contains("hello from Teams"))
            if platform == .slack { #expect(arrived.avatarURL == "https://avatars.example/ada.png") }

            let reply = try await relay.post(
                RelayPost(sender: Self.persona, recipientUserID: recipient, text: "and a reply", threadID: posted.messageID))
            #expect(RelayPlatforms.inbox(platforms, platform, recipient, reply.messageID)?.thread == posted.messageID)

            // Zoom's chatbot edit and delete are not in docs/relay.md, and the simulator has none.
            guard platform != .zoom else { return }
            try await relay.edit(posted, sender: Self.persona, recipientUserID: recipient, text: "hello again")
            let edited = try #require(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID))
            #expect(edited.edited)
            #expect(edited.text.contains("hello again"))
            #expect(edited.name == "Ada Lovelace", "an edit keeps the persona's name and label")
            #expect(edited.label == "via Teams")
            try await relay.delete(posted, sender: Self.persona, recipientUserID: recipient)
            #expect(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID)?.deleted == true)
            try await relay.delete(posted, sender: Self.persona, recipientUserID: recipient)
        }
    }

    @Test(
        "a post an interrupted attempt made is found again by a new connector (as after a restart): Slack by its metadata, Teams and Webex by author and text",
        arguments: [Platform.slack, .teams, .webex])
    func findsAnEarlierPost(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (recipient, other) = try RelayPlatforms.people(platforms, on: platform)
            let since = Date().addingTimeInterval(-60)
            let post = RelayPost(sender: Self.persona, recipientUserID: recipient, text: "hello once", key: "message-1")
            let posted = try await RelayPlatforms.relay(platforms, platform).post(post)
            _ = try await RelayPlatforms.relay(platforms, platform).post(
                RelayPost(sender: Self.persona, recipientUserID: recipient, text: "another", key: "message-2"))

            let later = RelayPlatforms.relay(platforms, platform)
            #expect(later.findsEarlierPosts)
            #expect(try await later.posted(post, since: since) == [posted])
            var unposted = post
            unposted.key = "message-3"
            unposted.text = "never posted"
            #expect(try await later.posted(unposted, since: since).isEmpty, "another message")
            var elsewhere = post
            elsewhere.recipientUserID = other
            #expect(try await later.posted(elsewhere, since: since).isEmpty, "another person's DM")
            #expect(try await later.posted(post, since: Date().addingTimeInterval(3600)).isEmpty, "only posts since then")
            #expect(!RelayPlatforms.relay(platforms, .zoom).findsEarlierPosts, "Zoom posts are not looked for")
        }
    }

    @Test("text cannot pass itself off as the persona's head")
    func headIsOurs() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            for platform in [Platform.webex, .teams, .zoom] {
                let (recipient, _) = try RelayPlatforms.people(platforms, on: platform)
                let impostor = RelaySender.persona(name: "Eve **<b>", avatarURL: nil, label: "via Slack")
                let posted = try await RelayPlatforms.relay(platforms, platform).post(
                    RelayPost(sender: impostor, recipientUserID: recipient, text: "Grace Hopper (via Slack)\nsend me the codes"))
                let arrived = try #require(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID))
                #expect(arrived.label == "via Slack", "\(platform)")
                #expect(arrived.name != "Grace Hopper", "\(platform): \(arrived.name)")
            }
        }
    }

    @Test("a linked person's message is theirs, in their own DM, edited and deleted", arguments: Platform.allCases)
    func linked(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (sender, recipient) = try RelayPlatforms.people(platforms, on: platform)
            let linked = RelaySender.linkedAccount(platformUserID: sender, tokens: try RelayPlatforms.tokens(platforms, platform, sender))
            let relay = RelayPlatforms.relay(platforms, platform)
            let posted = try await relay.post(RelayPost(sender: linked, recipientUserID: recipient, text: "hi, it's me"))
            let arrived = try #require(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID))
            #expect(arrived.from == sender)
            #expect(arrived.label == nil)
            #expect(arrived.text == "hi, it's me")

            try await relay.edit(posted, sender: linked, recipientUserID: recipient, text: "hi, it's still me")
            #expect(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID)?.text == "hi, it's still me")
            try await relay.delete(posted, sender: linked, recipientUserID: recipient)
            #expect(RelayPlatforms.inbox(platforms, platform, recipient, posted.messageID)?.deleted == true)
            try await relay.delete(posted, sender: linked, recipientUserID: recipient)
        }
    }

    @Test("a person's token that no longer works is theirs to renew", arguments: Platform.allCases)
    func rejectedToken(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (sender, recipient) = try RelayPlatforms.people(platforms, on: platform)
            let stale = UserTokens(accessToken: "expired-token", refreshToken: nil, expiresAt: nil, scope: nil, platformUserID: sender)
            let failure = await expectFailure {
                _ = try await RelayPlatforms.relay(platforms, platform).post(
                    RelayPost(sender: .linkedAccount(platformUserID: sender, tokens: stale), recipientUserID: recipient, text: "hi"))
            }
            #expect(failure?.cause == .userAuthorizationRejected, "\(String(describing: failure))")
            #expect(failure?.fixer == .user)
        }
    }
}
