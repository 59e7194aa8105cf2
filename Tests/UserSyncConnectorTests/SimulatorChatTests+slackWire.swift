import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Slack's DM methods as the relay calls them: the bot posting as a persona, a person's token
/// posting as that person, edits and deletions, and injected rate limits.
@Suite("Simulated chat: Slack wire endpoints")
struct SimulatorChatSlackWireTests {
    struct Opened: Decodable {
        struct Channel: Decodable { var id: String }
        var ok: Bool
        var channel: Channel?
        var error: String?
    }

    struct Posted: Decodable {
        var ok: Bool
        var ts: String?
        var channel: String?
        var error: String?
    }

    struct Members: Decodable {
        var ok: Bool
        var members: [String]?
        var error: String?
    }

    static func api(
        _ platforms: SimulatedPlatforms, _ method: String, token: String, _ form: String
    ) async throws -> Chat.Reply {
        try await Chat.call(platforms, .POST, "/slack/api/\(method)", token: token, form: form)
    }

    @Test("the bot posts as a persona, edits and deletes; the person's inbox shows name, label, avatar and changes, and no event is sent")
    func personaPosts() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let bot = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.botToken
            let person = try Chat.people(platforms, on: .slack)[0]
            try await EventReceiver.run(SimulatorChatSlackTests.slackApp()) { receiver in
                #expect(try await Chat.setEventURL(platforms, .slack, receiver.url("slack")).status == 204)
                let channel = try #require(
                    try await Self.api(platforms, "conversations.open", token: bot, "users=\(person)").decode(Opened.self).channel?.id)
                let persona = "username=Ada%20Lovelace%20(via%20Teams)&icon_url=https%3A%2F%2Fexample.com%2Fada.png"
                let posted = try await Self.api(platforms, "chat.postMessage", token: bot, "channel=\(channel)&text=Hi%20*there*&\(persona)")
                    .decode(Posted.self)
                let ts = try #require(posted.ts)
                #expect(posted.ok && posted.channel == channel)
                let reply = try await Self.api(
                    platforms, "chat.postMessage", token: bot, "channel=\(channel)&text=in%20thread&thread_ts=\(ts)&\(persona)"
                )
                .decode(Posted.self)
                #expect(reply.ok)
                #expect(
                    try await Self.api(platforms, "chat.update", token: bot, "channel=\(channel)&ts=\(ts)&text=Hi%20again").decode(Posted.self).ok)

                var inbox = try await Chat.inbox(platforms, .slack, user: person)
                #expect(inbox.count == 2)
                let first = try #require(inbox.first)
                #expect(first.from == "bot" && first.name == "Ada Lovelace" && first.label == "via Teams")
                #expect(first.avatarURL == "https://example.com/ada.png")
                #expect(first.text == "Hi again" && first.edited && !first.deleted && first.conversation == channel)
                #expect(inbox.last?.thread == ts)

                #expect(try await Self.api(platforms, "chat.delete", token: bot, "channel=\(channel)&ts=\(ts)").decode(Posted.self).ok)
                let again = try await Self.api(platforms, "chat.delete", token: bot, "channel=\(channel)&ts=\(ts)").decode(Posted.self)
                #expect(again.error == "message_not_found")
                inbox = try await Chat.inbox(platforms, .slack, user: person)
                #expect(inbox.first?.deleted == true)

                // The bot's posts are still recorded as delivered prompts, and cause no events.
                #expect(platforms.simulator.messages(organization: "acme").map(\.to) == [person, person])
                await platforms.simulator.eventsSettled()
                #expect(try SimulatorChatSlackTests.events(receiver).isEmpty)
            }
        }
    }

    @Test("a person's token opens their DM and posts as them; only the author may change the message")
    func userTokenPosts() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let bot = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.botToken
            let people = try Chat.people(platforms, on: .slack)
            let token = try await Chat.consent(platforms, .slack, user: people[0])
            let channel = try #require(
                try await Self.api(platforms, "conversations.open", token: token, "users=\(people[1])").decode(Opened.self).channel?.id)
            let botChannel = try await Self.api(platforms, "conversations.open", token: bot, "users=\(people[1])").decode(Opened.self).channel?.id
            #expect(channel != botChannel)
            let posted = try await Self.api(platforms, "chat.postMessage", token: token, "channel=\(channel)&text=from%20me").decode(Posted.self)
            let ts = try #require(posted.ts)

            let inbox = try await Chat.inbox(platforms, .slack, user: people[1])
            #expect(inbox.map(\.from) == [people[0]] && inbox.first?.text == "from me" && inbox.first?.label == nil)
            let members = try await Self.api(platforms, "conversations.members", token: bot, "channel=\(channel)").decode(Members.self)
            #expect(Set(members.members ?? []) == Set(people))
            let update = try await Self.api(platforms, "chat.update", token: bot, "channel=\(channel)&ts=\(ts)&text=forged").decode(Posted.self)
            #expect(update.error == "cant_update_message")
            let botPost = try await Self.api(platforms, "chat.postMessage", token: bot, "channel=\(channel)&text=intruding").decode(Posted.self)
            #expect(botPost.error == "not_in_channel")
            #expect(try await Self.api(platforms, "chat.update", token: token, "channel=\(channel)&ts=\(ts)&text=edited").decode(Posted.self).ok)
            #expect(try await Chat.inbox(platforms, .slack, user: people[1]).first?.text == "edited")
            #expect(platforms.simulator.messages(organization: "acme").isEmpty, "a person's message is no prompt of the bot")
        }
    }

    @Test("a JSON post: the prompt's link is the first URL of its blocks; metadata comes back as sent when a JSON true asks for it")
    func jsonPost() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let bot = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.botToken
            let person = try Chat.people(platforms, on: .slack)[0]
            let blocks =
                #"[{"type":"section","text":{"type":"mrkdwn","text":"Connect (see <https://a.example/connect?u=1|here>)"}},"#
                + #"{"type":"actions","elements":[{"type":"button","url":"http://b.example/later"}]}]"#
            let body =
                #"{"channel":"\#(person)","text":"Please connect","blocks":\#(blocks),"unfurl_links":false,"#
                + #""metadata":{"event_type":"usersync","event_payload":{"id":"m1","n":2,"ratio":0.5}}}"#
            let posted = try await Chat.call(platforms, .POST, "/slack/api/chat.postMessage", token: bot, json: body).decode(Posted.self)
            #expect(posted.ok)
            #expect(platforms.simulator.messages(organization: "acme").map(\.link) == ["https://a.example/connect?u=1"])

            let history = try await Chat.call(
                platforms, .POST, "/slack/api/conversations.history", token: bot,
                json: #"{"channel":"\#(try #require(posted.channel))","include_all_metadata":true}"#)
            struct History: Decodable {
                struct Message: Decodable {
                    struct Metadata: Decodable, Equatable {
                        struct Payload: Decodable, Equatable {
                            var id: String
                            var n: Int
                            var ratio: Double
                        }
                        var event_type: String
                        var event_payload: Payload
                    }
                    var text: String
                    var metadata: Metadata?
                }
                var messages: [Message]
            }
            let message = try #require(try history.decode(History.self).messages.first)
            #expect(message.text == "Please connect")
            #expect(message.metadata == .init(event_type: "usersync", event_payload: .init(id: "m1", n: 2, ratio: 0.5)))
        }
    }

    @Test("an injected 429 on chat.postMessage answers ratelimited with Retry-After; the next call posts")
    func rateLimitedPosts() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let bot = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.slack.botToken
            let person = try Chat.people(platforms, on: .slack)[0]
            let fault = try await Chat.control(
                platforms, .POST, "/faults", json: #"{"platform":"slack","endpoint":"chat.postMessage","kind":"rate_limit","retryAfter":7,"times":1}"#
            )
            #expect(fault.status == 201)
            let limited = try await Self.api(platforms, "chat.postMessage", token: bot, "channel=\(person)&text=hello")
            #expect(limited.status == 429 && limited.headers.first(name: "Retry-After") == "7")
            #expect(try limited.decode(Posted.self).error == "ratelimited")
            let posted = try await Self.api(platforms, "chat.postMessage", token: bot, "channel=\(person)&text=hello").decode(Posted.self)
            #expect(posted.ok && posted.channel?.hasPrefix("D") == true)
            #expect(platforms.simulator.calls(.slack, "chat.postMessage", status: 429) == 1)
            #expect(platforms.simulator.calls(.slack, "chat.postMessage", status: 200) == 1)
            #expect(try await Chat.inbox(platforms, .slack, user: person).count == 1)
        }
    }
}
