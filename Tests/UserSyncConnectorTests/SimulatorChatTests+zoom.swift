import Crypto
import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Zoom's event notifications (URL validation, `bot_notification`, `chat_message.*`) and Team Chat
/// messages as the relay calls them.
@Suite("Simulated chat: Zoom")
struct SimulatorChatZoomTests {
    struct Head: Decodable {
        struct Payload: Decodable {
            // endpoint.url_validation
            var plainToken: String?
            // bot_notification
            var userId: String?
            var robotJid: String?
            var cmd: String?
            var messageId: String?
            // chat_message.*
            var operator_id: String?
            var object: Object?
        }

        struct Object: Decodable {
            var id: String
            var message: String?
            var to_contact: String?
            var reply_main_message_id: String?
        }

        var event: String
        var payload: Payload
    }

    /// Answers URL validation with the secret (or a wrong one), and 200 to every event.
    static func zoomApp(secret: String) -> EventReceiver.Respond {
        { request, _ in
            guard let head = try? request.decode(Head.self), head.event == "endpoint.url_validation", let plain = head.payload.plainToken else {
                return .init()
            }
            let key = request.name == "wrong" ? "not-the-secret" : secret
            let encrypted = Chat.hex(HMAC<SHA256>.authenticationCode(for: Data(plain.utf8), using: SymmetricKey(data: Data(key.utf8))))
            return .init(body: "{\"plainToken\": \"\(plain)\", \"encryptedToken\": \"\(encrypted)\"}", contentType: "application/json")
        }
    }

    static func events(_ receiver: EventReceiver) throws -> [(EventReceiver.Received, Head)] {
        try receiver.received.map { ($0, try $0.decode(Head.self)) }.filter { $0.1.event != "endpoint.url_validation" }
    }

    @Test("the event URL must answer endpoint.url_validation with the HMAC of the plain token; a wrong answer is refused with 422")
    func urlValidation() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let secret = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.zoom.webhookSecretToken
            try await EventReceiver.run(Self.zoomApp(secret: secret)) { receiver in
                let wrong = try await Chat.setEventURL(platforms, .zoom, receiver.url("wrong"))
                #expect(wrong.status == 422 && wrong.body.contains("encryptedToken"))
                #expect(try await Chat.setEventURL(platforms, .zoom, receiver.url("right")).status == 204)
                #expect(receiver.received.count == 2)
                for request in receiver.received {
                    Chat.expectV0Signed(request, secret: secret, signature: "x-zm-signature", timestamp: "x-zm-request-timestamp")
                }
                // Events go to the URL that passed, and only there.
                let person = try Chat.people(platforms, on: .zoom)[0]
                _ = try await Chat.write(platforms, .zoom, from: person, to: "bot", text: "hi bot")
                await platforms.simulator.eventsSettled()
                #expect(receiver.received.dropFirst(2).map(\.name) == ["right"])
            }
        }
    }

    @Test("DMs to the chatbot arrive as bot_notification; DMs of a person who authorized the app as chat_message.sent, updated, deleted")
    func events() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.zoom
            let people = try Chat.people(platforms, on: .zoom)
            try await EventReceiver.run(Self.zoomApp(secret: credentials.webhookSecretToken)) { receiver in
                #expect(try await Chat.setEventURL(platforms, .zoom, receiver.url("zoom")).status == 204)
                let toBot = try await Chat.write(platforms, .zoom, from: people[0], to: "bot", text: "**hello** bot")
                _ = try await Chat.write(platforms, .zoom, from: people[0], to: people[1], text: "nobody authorized")
                _ = try await Chat.consent(platforms, .zoom, user: people[1])
                let sent = try await Chat.write(platforms, .zoom, from: people[0], to: people[1], text: "now they did")
                #expect(
                    try await Chat.control(platforms, .PATCH, "/orgs/acme/platforms/zoom/messages/\(sent.id)", json: #"{"text":"edited"}"#).status
                        == 200)
                #expect(try await Chat.control(platforms, .DELETE, "/orgs/acme/platforms/zoom/messages/\(sent.id)").status == 204)
                await platforms.simulator.eventsSettled()

                let events = try Self.events(receiver)
                #expect(events.map(\.1.event) == ["bot_notification", "chat_message.sent", "chat_message.updated", "chat_message.deleted"])
                for (request, _) in events {
                    Chat.expectV0Signed(
                        request, secret: credentials.webhookSecretToken, signature: "x-zm-signature", timestamp: "x-zm-request-timestamp")
                }
                let notification = try #require(events.first?.1.payload)
                #expect(notification.userId == people[0] && notification.cmd == "**hello** bot" && notification.messageId == toBot.id)
                #expect(notification.robotJid == credentials.robotJID)
                for (_, head) in events.dropFirst() {
                    #expect(head.payload.operator_id == people[0] && head.payload.object?.id == sent.id)
                    #expect(head.payload.object?.to_contact == people[1])
                }
                #expect(events.map(\.1.payload.object?.message) == [nil, "now they did", "edited", nil])
            }
        }
    }

    @Test("a person's token posts, edits and deletes as them; the chatbot's card head names the persona, and it edits and deletes its own")
    func wireEndpoints() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.zoom
            let people = try Chat.people(platforms, on: .zoom)
            let token = try await Chat.consent(platforms, .zoom, user: people[0])
            struct Posted: Decodable { var id: String }
            let email = try #require(
                platforms.simulator.people(organization: "acme", limit: 10_000)?.first { person in
                    person.accounts.contains { $0.id == people[1] }
                }?.email)
            let posted = try await Chat.call(
                platforms, .POST, "/zoom/v2/chat/users/me/messages", token: token,
                json: "{\"message\": \"hi\", \"to_contact\": \(Chat.quoted(email))}")
            #expect(posted.status == 201)
            let id = try posted.decode(Posted.self).id
            let reply = try await Chat.call(
                platforms, .POST, "/zoom/v2/chat/users/me/messages", token: token,
                json: "{\"message\": \"threaded\", \"to_contact\": \"\(people[1])\", \"reply_main_message_id\": \"\(id)\"}")
            #expect(reply.status == 201)
            let edit = try await Chat.call(
                platforms, .PUT, "/zoom/v2/chat/users/me/messages/\(id)", token: token,
                json: "{\"message\": \"hi again\", \"to_contact\": \"\(people[1])\"}")
            #expect(edit.status == 204)
            var inbox = try await Chat.inbox(platforms, .zoom, user: people[1])
            #expect(inbox.map(\.text) == ["hi again", "threaded"] && inbox.first?.edited == true && inbox.last?.thread == id)
            #expect(
                try await Chat.call(platforms, .DELETE, "/zoom/v2/chat/users/me/messages/\(id)?to_contact=\(people[1])", token: token).status == 204)
            #expect(try await Chat.inbox(platforms, .zoom, user: people[1]).first?.deleted == true)

            let chatbot = try await Chat.call(
                platforms, .POST, "/zoom/oauth/token", form: "grant_type=client_credentials",
                basic: (credentials.chatbotClientID, credentials.chatbotClientSecret))
            struct Token: Decodable { var access_token: String }
            let card = """
                {"robot_jid": "\(credentials.robotJID)", "to_jid": "\(people[1].lowercased())@xmpp.zoom.us", "account_id": "\(credentials.accountID)",
                 "content": {"head": {"text": "Ada Lovelace (via Slack)"}, "body": [{"type": "message", "text": "Hello from Slack"}]}}
                """
            let bot = try chatbot.decode(Token.self).access_token
            let sent = try await Chat.call(platforms, .POST, "/zoom/v2/im/chat/messages", token: bot, json: card)
            #expect(sent.status == 201)
            struct Sent: Decodable { var message_id: String }
            let botMessage = try sent.decode(Sent.self).message_id
            inbox = try await Chat.inbox(platforms, .zoom, user: people[1])
            let persona = try #require(inbox.last)
            #expect(persona.from == "bot" && persona.name == "Ada Lovelace" && persona.label == "via Slack" && persona.text == "Hello from Slack")
            let change = card.replacingOccurrences(of: "Hello from Slack", with: "Edited in Slack")
            #expect(try await Chat.call(platforms, .PUT, "/zoom/v2/im/chat/messages/\(botMessage)", token: bot, json: change).status == 204)
            #expect(try await Chat.inbox(platforms, .zoom, user: people[1]).last?.text == "Edited in Slack")
            let query = "robot_jid=\(credentials.robotJID)&account_id=\(credentials.accountID)"
            #expect(try await Chat.call(platforms, .DELETE, "/zoom/v2/im/chat/messages/\(botMessage)?\(query)", token: bot).status == 200)
            #expect(try await Chat.inbox(platforms, .zoom, user: people[1]).last?.deleted == true)
            #expect(try await Chat.call(platforms, .DELETE, "/zoom/v2/im/chat/messages/\(botMessage)?\(query)", token: bot).status == 404)
            #expect(platforms.simulator.messages(organization: "acme").map(\.to) == [people[1]], "the chatbot's message is recorded as before")
        }
    }
}
