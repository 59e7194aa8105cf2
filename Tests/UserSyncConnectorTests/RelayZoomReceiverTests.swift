import Crypto
import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain

@Suite("Relay: Zoom event notifications are verified before they are read")
struct RelayZoomReceiverTests {
    static let secret = "zoom-secret-token-42"
    static let receiver = RelayRequests.receiver(
        .zoom(.init(accountID: "acct", clientID: "id", clientSecret: "secret", webhookSecretToken: secret)))

    static func request(_ body: String, timestamp: String = String(Int(RelayRequests.now.timeIntervalSince1970)), secret: String = secret)
        -> InboundRequest
    {
        InboundRequest(
            headers: ["x-zm-request-timestamp": timestamp, "x-zm-signature": RelayRequests.v0(body, secret: secret, timestamp: timestamp)],
            body: Array(body.utf8))
    }

    static func chat(_ event: String, object: [String: Any], eventTS: Int = 1_731_400_199_000) -> String {
        RelayRequests.json([
            "event": event, "event_ts": eventTS, "payload": ["account_id": "acct", "operator_id": "zu-ada", "object": object],
        ])
    }

    @Test("endpoint.url_validation is answered with the plain token and its HMAC")
    func validation() async throws {
        let body = RelayRequests.json([
            "event": "endpoint.url_validation", "event_ts": 1_731_400_250_000, "payload": ["plainToken": "p1ainT0ken-Example_42"],
        ])
        guard case .challenge(let answer, let contentType) = try await Self.receiver.receive(Self.request(body), now: RelayRequests.now) else {
            Issue.record("expected the handshake")
            return
        }
        #expect(contentType == "application/json")
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(answer.utf8))
        #expect(decoded["plainToken"] == "p1ainT0ken-Example_42")
        #expect(decoded["encryptedToken"] == RelayRequests.hmac(SHA256.self, "p1ainT0ken-Example_42", secret: Self.secret))
    }

    @Test("a 1:1 chat message, whichever spelling of the ids it uses")
    func chatMessage() async throws {
        let spellings: [[String: Any]] = [
            ["id": "msg-1", "message": "**hi**", "to_contact": "zu-bob", "reply_main_message_id": "msg-0", "date_time": "2024-11-12T08:29:59Z"],
            [
                "message_id": "msg-1", "message": "**hi**", "contact_id": "zu-bob", "reply_main_message_id": "msg-0",
                "date_time": "2024-11-12T08:29:59Z",
            ],
        ]
        for object in spellings {
            let event = try #require(
                try await RelayRequests.events(Self.receiver, Self.request(Self.chat("chat_message.sent", object: object))).first)
            #expect(event.kind == .message)
            #expect(event.messageID == "msg-1")
            #expect(event.senderUserID == "zu-ada")
            #expect(event.recipientUserID == "zu-bob")
            #expect(event.conversationID == "zu-ada,zu-bob")
            #expect(!event.toBot)
            #expect(event.text == "**hi**")
            #expect(event.threadID == "msg-0")
            #expect(event.sentAt == Date(timeIntervalSince1970: 1_731_400_199))
        }
    }

    @Test("edits and deletions; two edits of one message are two events")
    func editAndDelete() async throws {
        let object: [String: Any] = ["id": "msg-1", "message": "edited", "to_contact": "zu-bob"]
        let first = try await RelayRequests.events(Self.receiver, Self.request(Self.chat("chat_message.updated", object: object))).first
        let second = try await RelayRequests.events(
            Self.receiver, Self.request(Self.chat("chat_message.updated", object: object, eventTS: 1_731_400_199_500))
        ).first
        #expect(first?.kind == .edit)
        #expect(first?.text == "edited")
        #expect(first?.eventKey != second?.eventKey)
        let delete = try await RelayRequests.events(Self.receiver, Self.request(Self.chat("chat_message.deleted", object: object))).first
        #expect(delete?.kind == .delete)
        #expect(delete?.text == nil)
    }

    @Test("a message to the chatbot is to the bot")
    func botNotification() async throws {
        let body = RelayRequests.json([
            "event": "bot_notification", "event_ts": 1_731_400_199_000,
            "payload": [
                "accountId": "acct", "userId": "zu-ada", "userJid": "ada@xmpp.zoom.us", "robotJid": "bot@xmpp.zoom.us", "toJid": "bot@xmpp.zoom.us",
                "cmd": "thanks!", "timestamp": 1_731_400_199_000,
            ],
        ])
        let event = try #require(try await RelayRequests.events(Self.receiver, Self.request(body)).first)
        #expect(event.toBot)
        #expect(event.recipientUserID == nil)
        #expect(event.senderUserID == "zu-ada")
        #expect(event.text == "thanks!")
    }

    @Test("channel messages and other events are taken and dropped")
    func ignored() async throws {
        let channel = Self.chat("chat_message.sent", object: ["id": "m", "message": "x", "channel_id": "ch-1", "to_channel": "ch-1"])
        #expect(try await RelayRequests.events(Self.receiver, Self.request(channel)).isEmpty)
        let user = RelayRequests.json(["event": "user.deactivated", "payload": ["object": ["id": "zu-ada", "type": 2]]])
        #expect(try await RelayRequests.events(Self.receiver, Self.request(user)).isEmpty)
    }

    @Test("forged, unsigned, stale, malformed and unconfigured requests are refused")
    func refusals() async throws {
        let body = Self.chat("chat_message.sent", object: ["id": "msg-1", "message": "hi", "to_contact": "zu-bob"])
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(body, secret: "nope")) == .forgedSignature)
        #expect(await RelayRequests.refusal(Self.receiver, InboundRequest(headers: ["x-zm-signature": "v0=00"], body: Array(body.utf8))) == .unsigned)
        let old = String(Int(RelayRequests.now.timeIntervalSince1970) - 400)
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(body, timestamp: old)) == .stale)
        let milliseconds = String(Int(RelayRequests.now.timeIntervalSince1970) * 1000)
        #expect(try await RelayRequests.events(Self.receiver, Self.request(body, timestamp: milliseconds)).count == 1)
        #expect(await RelayRequests.refusal(Self.receiver, Self.request("[]")) == .malformed)
        let noObject = RelayRequests.json(["event": "chat_message.sent", "payload": ["operator_id": "zu-ada"]])
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(noObject)) == .malformed)
        let unconfigured = RelayRequests.receiver(.zoom(.init(accountID: "acct", clientID: "id", clientSecret: "secret")))
        #expect(await RelayRequests.refusal(unconfigured, Self.request(body)) == .notConfigured)
    }
}
