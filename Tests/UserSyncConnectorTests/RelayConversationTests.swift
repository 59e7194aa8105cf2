import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@testable import UserSyncConnectors

@Suite("Relay: a DM is looked up once per pair, and again when it is gone")
struct RelayConversationTests {
    static let persona = RelaySender.persona(name: "Ada Lovelace", avatarURL: nil, label: "via Slack")

    @Test("three messages to one person open their DM once, from connectors built anew for each (Slack, Teams; persona and linked)")
    func opensOnce() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            for (platform, lookup) in [(Platform.slack, "conversations.open"), (.teams, "installedApps.chat")] {
                let (sender, recipient) = try RelayPlatforms.people(platforms, on: platform)
                let connection = RelayPlatforms.connection(platforms, platform)
                for _ in 0..<3 {
                    // The worker builds a connector per message; what it learnt lives in the factory.
                    _ = try await platforms.factory.relayConnector(for: connection).post(
                        RelayPost(sender: Self.persona, recipientUserID: recipient, text: "hello"))
                }
                #expect(platforms.simulator.calls(platform, lookup) == 1, "\(platform)")
                let linked = RelaySender.linkedAccount(platformUserID: sender, tokens: try RelayPlatforms.tokens(platforms, platform, sender))
                let opens = platforms.simulator.calls(platform, platform == .slack ? "conversations.open" : "chats.create")
                for _ in 0..<3 {
                    _ = try await platforms.factory.relayConnector(for: connection).post(
                        RelayPost(sender: linked, recipientUserID: recipient, text: "hi, it's me"))
                }
                #expect(platforms.simulator.calls(platform, platform == .slack ? "conversations.open" : "chats.create") == opens + 1, "\(platform)")
            }
        }
    }

    @Test("a remembered conversation the platform no longer knows is opened again, and the message goes once")
    func reopensWhenGone() async throws {
        let conversations = DirectConversations()
        let opened = Counter(), posted = Counter(), gone = Counter()
        func post() async throws(PlatformFailure) -> String {
            try await conversations.with(author: "bot", recipient: "U1") { () async throws(PlatformFailure) in
                "D\(opened.next())"
            } _: { channel async throws(PlatformFailure) in
                guard gone.value == 0 || channel != "D1" else {
                    throw PlatformFailure(.targetNotFound, platform: .slack, message: "channel_not_found")
                }
                posted.add()
                return channel
            }
        }
        #expect(try await post() == "D1")
        #expect(try await post() == "D1")
        #expect(opened.value == 1)
        gone.add()  // D1 is deleted on the platform
        #expect(try await post() == "D2")
        #expect(opened.value == 2)
        #expect(posted.value == 3)
        #expect(try await post() == "D2")
        #expect(opened.value == 2)
    }

    @Test("a conversation the platform refuses for another reason is not opened again")
    func keepsOnOtherFailures() async throws {
        let conversations = DirectConversations()
        let opened = Counter()
        for _ in 0..<2 {
            await #expect(throws: PlatformFailure.self) {
                try await conversations.with(author: "bot", recipient: "U1") { () async throws(PlatformFailure) in
                    "D\(opened.next())"
                } _: { (_: String) async throws(PlatformFailure) -> Void in
                    throw PlatformFailure(.rateLimited, platform: .slack, message: "ratelimited")
                }
            }
        }
        #expect(opened.value == 1)
    }
}

/// A count shared with the closures above.
private final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func add() { value += 1 }
    func next() -> Int {
        value += 1
        return value
    }
}
