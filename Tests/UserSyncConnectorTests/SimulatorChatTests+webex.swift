import Crypto
import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Webex webhooks (registered by the bot and by people, signed with `X-Spark-Signature`) and
/// messages in direct rooms as the relay calls them.
@Suite("Simulated chat: Webex")
struct SimulatorChatWebexTests {
    struct Delivery: Decodable {
        struct Data: Decodable {
            var id: String
            var roomId: String
            var roomType: String
            var personId: String
            var updated: String?
        }

        var id: String
        var resource: String
        var event: String
        var createdBy: String
        var actorId: String
        var data: Data
    }

    struct Message: Decodable {
        var id: String
        var roomId: String
        var markdown: String?
        var text: String?
        var personId: String
        var parentId: String?
    }

    struct Items<T: Decodable>: Decodable { var items: [T] }

    struct Membership: Decodable { var personId: String }

    struct Identified: Decodable { var id: String }

    static func register(_ platforms: SimulatedPlatforms, token: String, url: String, secret: String) async throws -> String {
        let body =
            "{\"name\": \"usersync relay\", \"targetUrl\": \(Chat.quoted(url)), \"resource\": \"messages\", \"event\": \"all\", \"secret\": \"\(secret)\"}"
        let reply = try await Chat.call(platforms, .POST, "/webex/v1/webhooks", token: token, json: body)
        #expect(reply.status == 200)
        return try reply.decode(Identified.self).id
    }

    static func signature(_ secret: String, _ body: Foundation.Data) -> String {
        Chat.hex(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Foundation.Data(secret.utf8))))
    }

    @Test("each webhook whose owner is in the room gets the event, signed with its secret; the text is fetched by id")
    func webhooks() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let bot = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.webex.botToken
            let people = try Chat.people(platforms, on: .webex, count: 3)
            let personToken = try await Chat.consent(platforms, .webex, user: people[1])
            try await EventReceiver.run { receiver in
                let botHook = try await Self.register(platforms, token: bot, url: receiver.url("bot"), secret: "bot-secret")
                let personHook = try await Self.register(platforms, token: personToken, url: receiver.url("person"), secret: "person-secret")
                let listed = try await Chat.call(platforms, .GET, "/webex/v1/webhooks", token: personToken).decode(Items<Identified>.self)
                #expect(listed.items.map(\.id) == [personHook])

                let toBot = try await Chat.write(platforms, .webex, from: people[0], to: "bot", text: "**hi** bot")
                let toPerson = try await Chat.write(platforms, .webex, from: people[0], to: people[1], text: "hi you")
                _ = try await Chat.write(platforms, .webex, from: people[0], to: people[2], text: "nobody listens here")
                #expect(
                    try await Chat.control(platforms, .PATCH, "/orgs/acme/platforms/webex/messages/\(toPerson.id)", json: #"{"text":"hi again"}"#)
                        .status == 200)
                await platforms.simulator.eventsSettled()

                let received = receiver.received
                #expect(received.map(\.name) == ["bot", "person", "person"])
                let deliveries = try received.map { try $0.decode(Delivery.self) }
                for (request, delivery) in zip(received, deliveries) {
                    let secret = request.name == "bot" ? "bot-secret" : "person-secret"
                    #expect(request.headers["x-spark-signature"] == Self.signature(secret, request.body))
                    #expect(delivery.id == (request.name == "bot" ? botHook : personHook))
                    #expect(delivery.resource == "messages" && delivery.data.roomType == "direct")
                    #expect(delivery.actorId == people[0] && delivery.data.personId == people[0])
                }
                #expect(deliveries.map(\.event) == ["created", "created", "updated"])
                #expect(deliveries.map(\.data.id) == [toBot.id, toPerson.id, toPerson.id])
                #expect(deliveries[0].data.roomId == toBot.conversation && deliveries[2].data.updated != nil)

                let message = try await Chat.call(platforms, .GET, "/webex/v1/messages/\(toBot.id)", token: bot).decode(Message.self)
                #expect(message.markdown == "**hi** bot" && message.text == "hi bot" && message.personId == people[0])
                let members = try await Chat.call(platforms, .GET, "/webex/v1/memberships?roomId=\(toBot.conversation)", token: bot)
                    .decode(Items<Membership>.self)
                #expect(Set(members.items.map(\.personId)) == [people[0], "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ib3Q"])
                #expect(
                    try await Chat.call(platforms, .GET, "/webex/v1/messages/\(toPerson.id)", token: bot).status == 404, "the bot is not in that room"
                )

                let pause = "{\"name\": \"usersync relay\", \"targetUrl\": \(Chat.quoted(receiver.url("bot"))), \"status\": \"inactive\"}"
                #expect(try await Chat.call(platforms, .PUT, "/webex/v1/webhooks/\(botHook)", token: bot, json: pause).status == 200)
                #expect(try await Chat.call(platforms, .DELETE, "/webex/v1/webhooks/\(personHook)", token: personToken).status == 204)
                _ = try await Chat.write(platforms, .webex, from: people[0], to: people[1], text: "unheard")
                _ = try await Chat.write(platforms, .webex, from: people[0], to: "bot", text: "unheard too")
                await platforms.simulator.eventsSettled()
                #expect(receiver.received.count == 3, "an inactive or deleted webhook receives nothing")
            }
        }
    }

    @Test("the bot posts to a person as a persona, edits and deletes; a person's token replies in a thread")
    func wireEndpoints() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let bot = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.webex.botToken
            let people = try Chat.people(platforms, on: .webex)
            let markdown = Chat.quoted("**Ada Lovelace** (via Slack)\nHello from Slack")
            let posted = try await Chat.call(
                platforms, .POST, "/webex/v1/messages", token: bot, json: "{\"toPersonId\": \"\(people[0])\", \"markdown\": \(markdown)}")
            #expect(posted.status == 200)
            let message = try posted.decode(Message.self)
            let edit = try await Chat.call(
                platforms, .PUT, "/webex/v1/messages/\(message.id)", token: bot, json: "{\"roomId\": \"\(message.roomId)\", \"markdown\": \"edited\"}"
            )
            #expect(try edit.decode(Message.self).markdown == "edited")
            var inbox = try await Chat.inbox(platforms, .webex, user: people[0])
            #expect(inbox.first?.name == "Ada Lovelace" && inbox.first?.label == "via Slack" && inbox.first?.edited == true)
            #expect(try await Chat.call(platforms, .DELETE, "/webex/v1/messages/\(message.id)", token: bot).status == 204)
            #expect(try await Chat.call(platforms, .GET, "/webex/v1/messages/\(message.id)", token: bot).status == 404)
            #expect(try await Chat.inbox(platforms, .webex, user: people[0]).first?.deleted == true)

            let token = try await Chat.consent(platforms, .webex, user: people[0])
            let first = try await Chat.call(
                platforms, .POST, "/webex/v1/messages", token: token, json: "{\"toPersonId\": \"\(people[1])\", \"text\": \"hi\"}")
            let parent = try first.decode(Message.self)
            #expect(parent.personId == people[0])
            let threaded = try await Chat.call(
                platforms, .POST, "/webex/v1/messages", token: token,
                json: "{\"roomId\": \"\(parent.roomId)\", \"text\": \"more\", \"parentId\": \"\(parent.id)\"}")
            #expect(try threaded.decode(Message.self).parentId == parent.id)
            inbox = try await Chat.inbox(platforms, .webex, user: people[1])
            #expect(inbox.map(\.text) == ["hi", "more"] && inbox.last?.thread == parent.id && inbox.allSatisfy { $0.from == people[0] })
            let forged = try await Chat.call(platforms, .DELETE, "/webex/v1/messages/\(parent.id)", token: bot)
            #expect(forged.status == 404, "the bot is not in the room")
        }
    }
}
