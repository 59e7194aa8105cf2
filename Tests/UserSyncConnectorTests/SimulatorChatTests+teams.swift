import Foundation
import JWTKit
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Bot Framework activities to the bot's messaging endpoint, signed with a key the published
/// Bot Framework OpenID metadata names; Graph 1:1 chats and the Bot Connector as the relay calls them.
@Suite("Simulated chat: Teams")
struct SimulatorChatTeamsTests {
    struct Activity: Decodable {
        struct Account: Decodable {
            var id: String
            var aadObjectId: String?
        }

        struct Conversation: Decodable {
            var id: String
            var conversationType: String
            var tenantId: String
        }

        var type: String
        var id: String
        var serviceUrl: String
        var channelId: String
        var from: Account
        var recipient: Account
        var conversation: Conversation
        var text: String?
        var replyToId: String?
    }

    struct Metadata: Decodable {
        var issuer: String
        var jwks_uri: String
        var id_token_signing_alg_values_supported: [String]
    }

    struct BotClaims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim
        var serviceurl: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try nbf.verifyNotBefore()
        }
    }

    @Test("what people write to the bot arrives as Bot Framework activities whose JWT verifies against the published keys")
    func activities() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.teams
            let person = try Chat.people(platforms, on: .teams)[0]
            try await EventReceiver.run { receiver in
                #expect(try await Chat.setEventURL(platforms, .teams, receiver.url("teams")).status == 204)
                let first = try await Chat.write(platforms, .teams, from: person, to: "bot", text: "<p>Hello <b>bot</b></p>")
                let reply = try await Chat.write(platforms, .teams, from: person, to: "bot", text: "more", thread: first.id)
                #expect(
                    try await Chat.control(platforms, .PATCH, "/orgs/acme/platforms/teams/messages/\(first.id)", json: #"{"text":"Hi"}"#).status
                        == 200)
                #expect(try await Chat.control(platforms, .DELETE, "/orgs/acme/platforms/teams/messages/\(first.id)").status == 204)
                await platforms.simulator.eventsSettled()

                let metadata = try await Chat.call(platforms, .GET, "/botframework/v1/.well-known/openidconfiguration").decode(Metadata.self)
                #expect(metadata.issuer == "https://api.botframework.com" && metadata.id_token_signing_alg_values_supported == ["RS256"])
                #expect(metadata.jwks_uri == platforms.baseURL + "/botframework/v1/.well-known/keys")
                let jwks = try await Chat.call(platforms, .GET, "/botframework/v1/.well-known/keys").decode(JWKS.self)
                let keys = try await JWTKeyCollection().add(jwks: jwks)

                let received = receiver.received
                let activities = try received.map { try $0.decode(Activity.self) }
                #expect(activities.map(\.type) == ["message", "message", "messageUpdate", "messageDelete"])
                #expect(activities.map(\.id) == [first.id, reply.id, first.id, first.id])
                #expect(activities[1].replyToId == first.id && activities[2].text == "Hi" && activities[3].text == nil)
                for (request, activity) in zip(received, activities) {
                    #expect(activity.serviceUrl == platforms.baseURL + "/botframework/" && activity.channelId == "msteams")
                    #expect(activity.from.aadObjectId == person && activity.recipient.id == "28:\(credentials.botAppID)")
                    #expect(activity.conversation.id == first.conversation && activity.conversation.conversationType == "personal")
                    #expect(activity.conversation.tenantId == credentials.tenantID)
                    let header = try #require(request.headers["authorization"])
                    #expect(header.hasPrefix("Bearer "))
                    let claims = try await keys.verify(String(header.dropFirst(7)), as: BotClaims.self)
                    #expect(claims.iss.value == "https://api.botframework.com")
                    #expect(claims.aud.value == [credentials.botAppID])
                    #expect(claims.serviceurl == activity.serviceUrl)
                }
                // Like the Bot Connector, one token serves every activity while it is fresh.
                #expect(Set(received.compactMap { $0.headers["authorization"] }).count == 1)
                let forged = try await JWTKeyCollection().add(hmac: "a key that is not the one the simulator signs with", digestAlgorithm: .sha256)
                let token = String(try #require(received.first?.headers["authorization"]).dropFirst(7))
                await #expect(throws: (any Error).self) { _ = try await forged.verify(token, as: BotClaims.self) }
            }
        }
    }

    @Test("a person's delegated token finds or makes the 1:1 chat and posts, edits and deletes there; the bot posts as a persona")
    func wireEndpoints() async throws {
        try await SimulatedPlatforms.run(Chat.configuration) { platforms in
            let credentials = platforms.simulator.createOrganization(name: "acme", seed: 5, size: 60).credentials.teams
            let people = try Chat.people(platforms, on: .teams)
            let token = try await Chat.consent(platforms, .teams, user: people[0])
            struct Identified: Decodable { var id: String }
            struct Message: Decodable {
                struct Body: Decodable { var content: String }
                var id: String
                var lastEditedDateTime: String?
                var deletedDateTime: String?
                var body: Body
            }
            let members = people.map {
                "{\"@odata.type\": \"#microsoft.graph.aadUserConversationMember\", \"roles\": [\"owner\"], "
                    + "\"user@odata.bind\": \"https://graph.microsoft.com/v1.0/users('\($0)')\"}"
            }.joined(separator: ", ")
            let create = "{\"chatType\": \"oneOnOne\", \"members\": [\(members)]}"
            let chat = try await Chat.call(platforms, .POST, "/graph/v1.0/chats", token: token, json: create)
            #expect(chat.status == 201)
            let chatID = try chat.decode(Identified.self).id
            #expect(try await Chat.call(platforms, .POST, "/graph/v1.0/chats", token: token, json: create).decode(Identified.self).id == chatID)
            let path = "/graph/v1.0/chats/\(chatID)/messages"
            let posted = try await Chat.call(
                platforms, .POST, path, token: token, json: #"{"body": {"contentType": "html", "content": "<b>hi</b>"}}"#)
            #expect(posted.status == 201)
            let id = try posted.decode(Identified.self).id
            let edit = try await Chat.call(
                platforms, .PATCH, "\(path)/\(id)", token: token, json: #"{"body": {"contentType": "html", "content": "hey"}}"#)
            #expect(edit.status == 204)
            let edited = try await Chat.call(platforms, .GET, "\(path)/\(id)", token: token).decode(Message.self)
            #expect(edited.body.content == "hey" && edited.lastEditedDateTime != nil && edited.deletedDateTime == nil)
            #expect(try await Chat.call(platforms, .POST, "\(path)/\(id)/softDelete", token: token).status == 204)
            #expect(try await Chat.call(platforms, .GET, "\(path)/\(id)", token: token).decode(Message.self).deletedDateTime != nil)
            #expect(try await Chat.inbox(platforms, .teams, user: people[1]).map(\.deleted) == [true])

            // The bot's conversation exists once the person has written to the bot.
            let hello = try await Chat.write(platforms, .teams, from: people[1], to: "bot", text: "hello")
            let botToken = try await Chat.call(
                platforms, .POST, "/login/botframework.com/oauth2/v2.0/token",
                form: "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)"
                    + "&scope=https%3A%2F%2Fapi.botframework.com%2F.default")
            struct Token: Decodable { var access_token: String }
            let bot = try botToken.decode(Token.self).access_token
            let activities = "/botframework/v3/conversations/\(hello.conversation)/activities"
            let text = #"{"type": "message", "textFormat": "xml", "text": "<b>Ada Lovelace</b> (via Slack)<br>Hello from Slack"}"#
            let activity = try await Chat.call(platforms, .POST, activities, token: bot, json: text)
            #expect(activity.status == 201)
            let activityID = try activity.decode(Identified.self).id
            #expect(
                try await Chat.call(platforms, .PUT, "\(activities)/\(activityID)", token: bot, json: #"{"type":"message","text":"edited"}"#).status
                    == 200)
            var inbox = try await Chat.inbox(platforms, .teams, user: people[1])
            #expect(inbox.map(\.from) == [people[0], "bot"])
            #expect(inbox.last?.name == "Ada Lovelace" && inbox.last?.label == "via Slack" && inbox.last?.text == "edited")
            #expect(try await Chat.call(platforms, .DELETE, "\(activities)/\(activityID)", token: bot).status == 200)
            inbox = try await Chat.inbox(platforms, .teams, user: people[1])
            #expect(inbox.last?.deleted == true)
            #expect(
                try await Chat.call(platforms, .DELETE, "\(activities)/\(hello.id)", token: bot).status == 403,
                "the bot cannot delete a person's message")
        }
    }
}
