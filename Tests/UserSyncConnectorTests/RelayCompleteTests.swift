import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@Suite("Relay: completing events and registering Webex's webhook")
struct RelayCompleteTests {
    /// The event a receiver makes of a written message before `complete` (no recipient, no text).
    static func bare(_ written: SimWrittenMessage, from sender: String) -> InboundEvent {
        InboundEvent(
            kind: .message, eventKey: "key-\(written.id)", conversationID: written.conversation, messageID: written.id, senderUserID: sender,
            recipientUserID: nil, toBot: false, text: nil, threadID: nil, sentAt: Date())
    }

    @Test("Slack and Webex name the DM's other member: the bot, or (Slack) the person", arguments: [Platform.slack, .webex])
    func otherMember(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (sender, recipient) = try RelayPlatforms.people(platforms, on: platform)
            let relay = RelayPlatforms.relay(platforms, platform)
            let toBot = try platforms.simulator.writeMessage(
                organization: "acme", platform: platform, .init(from: sender, to: "bot", text: "hello bot"))
            let completed = try await relay.complete(Self.bare(toBot, from: sender))
            #expect(completed.toBot)
            #expect(completed.recipientUserID == nil)
            if platform == .webex { #expect(completed.text == "hello bot") }

            let toPerson = try platforms.simulator.writeMessage(
                organization: "acme", platform: platform, .init(from: sender, to: recipient, text: "hi"))
            if platform == .slack {
                let person = try await relay.complete(Self.bare(toPerson, from: sender))
                #expect(!person.toBot)
                #expect(person.recipientUserID == recipient)
            } else {
                // The bot cannot read a DM between two people: completing it needs a person's token.
                let failure = await expectFailure { _ = try await relay.complete(Self.bare(toPerson, from: sender)) }
                #expect(failure?.cause == .targetNotFound)
            }
            #expect(platforms.simulator.calls(platform, platform == .slack ? "auth.test" : "people.me") == 1, "the bot's own id is looked up once")
        }
    }

    @Test("Webex's text, thread and the bot's room member come from the message and the room")
    func webexThread() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let (sender, _) = try RelayPlatforms.people(platforms, on: .webex)
            let relay = RelayPlatforms.relay(platforms, .webex)
            let first = try platforms.simulator.writeMessage(
                organization: "acme", platform: .webex, .init(from: sender, to: "bot", text: "**first**"))
            let reply = try platforms.simulator.writeMessage(
                organization: "acme", platform: .webex, .init(from: sender, to: "bot", text: "second", thread: first.id))
            let completed = try await relay.complete(Self.bare(reply, from: sender))
            #expect(completed.text == "second")
            #expect(completed.threadID == first.id)
            var deletion = Self.bare(first, from: sender)
            deletion.kind = .delete
            let deleted = try await relay.complete(deletion)
            #expect(deleted.text == nil, "a deletion's text is not fetched")
            #expect(deleted.toBot)
        }
    }

    @Test("Webex's webhook is registered once, with the bot token, for messages")
    func webhook() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", seed: 11, size: 40)
            let relay = RelayPlatforms.relay(platforms, .webex)
            let url = "https://sync.example.com/events/webex/org/connection"
            try await relay.subscribeToEvents(url: url, secret: RelayPlatforms.webhookSecret)
            try await relay.subscribeToEvents(url: url, secret: RelayPlatforms.webhookSecret)
            let hooks = platforms.simulator.webexWebhooks(organization: "acme")
            #expect(hooks.count == 1)
            #expect(hooks.first?.targetURL == url)
            #expect(hooks.first?.resource == "messages")
            #expect(hooks.first?.secret == RelayPlatforms.webhookSecret)
            #expect(hooks.first?.owner == "bot")
            for platform in [Platform.slack, .teams, .zoom] {
                try await RelayPlatforms.relay(platforms, platform).subscribeToEvents(url: url, secret: "s")
            }
        }
    }
}
