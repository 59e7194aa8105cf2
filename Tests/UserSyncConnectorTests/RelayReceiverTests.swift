import Crypto
import Foundation
import Logging
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncTestSupport

/// Requests built and signed here as each platform signs them, and what the receiver makes of them.
enum RelayRequests {
    static let now = Date(timeIntervalSince1970: 1_731_400_200)

    static func receiver(_ credentials: ConnectionCredentials, settings: ConnectorSettings = SimulatedPlatforms.testSettings)
        -> any PlatformEventReceiver
    {
        var logger = Logger(label: "relay-tests")
        logger.logLevel = .critical
        let factory = ConnectorFactory(settings: settings, logger: logger)
        return factory.eventReceiver(
            for: .init(key: UUID().uuidString, credentials: credentials, endpoints: .production(credentials.platform)))
    }

    static func hmac<H: HashFunction>(_ hash: H.Type, _ message: String, secret: String) -> String {
        HMAC<H>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }
            .joined()
    }

    /// Slack's and Zoom's `v0` signature headers over `body` sent at `timestamp`.
    static func v0(_ body: String, secret: String, timestamp: String) -> String {
        "v0=" + hmac(SHA256.self, "v0:\(timestamp):\(body)", secret: secret)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func events(_ receiver: any PlatformEventReceiver, _ request: InboundRequest, now: Date = now) async throws -> [InboundEvent] {
        guard case .events(let events) = try await receiver.receive(request, now: now) else {
            Issue.record("expected events, got a handshake")
            return []
        }
        return events
    }

    static func refusal(_ receiver: any PlatformEventReceiver, _ request: InboundRequest, now: Date = now) async -> EventRefusal.Code? {
        do {
            let reception = try await receiver.receive(request, now: now)
            Issue.record("expected a refusal, got \(reception)")
            return nil
        } catch {
            return error.code
        }
    }
}

@Suite("Relay: Slack events are verified before they are read")
struct RelaySlackReceiverTests {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let receiver = RelayRequests.receiver(.slack(.init(botToken: "xoxb-1", signingSecret: secret)))

    static func request(_ body: String, timestamp: Date = RelayRequests.now, secret: String = secret) -> InboundRequest {
        let ts = String(Int(timestamp.timeIntervalSince1970))
        return InboundRequest(
            headers: ["X-Slack-Request-Timestamp": ts, "X-Slack-Signature": RelayRequests.v0(body, secret: secret, timestamp: ts)],
            body: Array(body.utf8))
    }

    static func envelope(_ event: [String: Any], authorizations: [[String: Any]] = [["user_id": "UBOT", "is_bot": true]]) -> String {
        RelayRequests.json([
            "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev01", "event_time": 1_731_400_199,
            "authorizations": authorizations, "event": event,
        ])
    }

    static var message: [String: Any] {
        [
            "type": "message", "channel_type": "im", "channel": "D01", "user": "U01", "text": "hi *there*", "ts": "1731400199.000200",
            "thread_ts": "1731400100.000100",
            "files": [
                ["name": "plan.pdf", "url_private": "https://files.slack.com/plan.pdf", "size": 1200], ["id": "F2", "mode": "hidden_by_limit"],
            ],
        ]
    }

    @Test("a DM to the bot: every field, the thread and the file link")
    func messageToBot() async throws {
        let events = try await RelayRequests.events(Self.receiver, Self.request(Self.envelope(Self.message)))
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.kind == .message)
        #expect(event.eventKey == "Ev01")
        #expect(event.conversationID == "D01")
        #expect(event.messageID == "1731400199.000200")
        #expect(event.senderUserID == "U01")
        #expect(event.toBot)
        #expect(event.recipientUserID == nil)
        #expect(event.text == "hi *there*")
        #expect(event.threadID == "1731400100.000100")
        #expect(event.files == [InboundFile(name: "plan.pdf", url: "https://files.slack.com/plan.pdf", size: 1200)])
        #expect(abs(event.sentAt.timeIntervalSince1970 - 1_731_400_199.0002) < 0.001)
    }

    @Test("who the DM is to comes from the authorizations; the sender's own leaves it to complete()")
    func recipients() async throws {
        let person = try await RelayRequests.events(
            Self.receiver, Self.request(Self.envelope(Self.message, authorizations: [["user_id": "U02", "is_bot": false]]))
        ).first
        #expect(person?.toBot == false)
        #expect(person?.recipientUserID == "U02")
        let own = try await RelayRequests.events(
            Self.receiver, Self.request(Self.envelope(Self.message, authorizations: [["user_id": "U01", "is_bot": false]]))
        ).first
        #expect(own?.toBot == false)
        #expect(own?.recipientUserID == nil)
        var root = Self.message
        root["thread_ts"] = root["ts"]
        #expect(try await RelayRequests.events(Self.receiver, Self.request(Self.envelope(root))).first?.threadID == nil)
    }

    @Test("an edit and a deletion name the message they change")
    func editAndDelete() async throws {
        let edit = try await RelayRequests.events(
            Self.receiver,
            Self.request(
                Self.envelope([
                    "type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D01",
                    "message": ["user": "U01", "text": "hi _all_", "ts": "1731400199.000200"],
                    "previous_message": ["user": "U01", "text": "hi *there*", "ts": "1731400199.000200"],
                ]))
        ).first
        #expect(edit?.kind == .edit)
        #expect(edit?.messageID == "1731400199.000200")
        #expect(edit?.text == "hi _all_")
        let delete = try await RelayRequests.events(
            Self.receiver,
            Self.request(
                Self.envelope([
                    "type": "message", "subtype": "message_deleted", "channel_type": "im", "channel": "D01", "deleted_ts": "1731400199.000200",
                ]))
        ).first
        #expect(delete?.kind == .delete)
        #expect(delete?.messageID == "1731400199.000200")
        #expect(delete?.text == nil)
    }

    @Test("the app's own posts, unchanged edits, channels and other events are taken and dropped")
    func ignored() async throws {
        var own = Self.message
        own["bot_id"] = "B01"
        var botMessage = Self.message
        botMessage["subtype"] = "bot_message"
        var channel = Self.message
        channel["channel_type"] = "channel"
        let replyAdded: [String: Any] = [
            "type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D01",
            "message": ["user": "U01", "text": "same", "ts": "1.2", "reply_count": 1],
            "previous_message": ["user": "U01", "text": "same", "ts": "1.2"],
        ]
        let teamJoin: [String: Any] = ["type": "team_join", "user": ["id": "U09", "name": "new"]]
        for event in [own, botMessage, channel, replyAdded, teamJoin] {
            #expect(try await RelayRequests.events(Self.receiver, Self.request(Self.envelope(event))).isEmpty)
        }
        let bySelf = Self.envelope(Self.message, authorizations: [["user_id": "U01", "is_bot": true]])
        #expect(try await RelayRequests.events(Self.receiver, Self.request(bySelf)).isEmpty, "the bot user's own message")
    }

    @Test("url_verification is answered with its challenge; an unusable challenge is refused")
    func handshake() async throws {
        let body = RelayRequests.json([
            "type": "url_verification", "token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        ])
        let reception = try await Self.receiver.receive(Self.request(body), now: RelayRequests.now)
        #expect(reception == .challenge(body: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", contentType: "text/plain; charset=utf-8"))
        let hostile = RelayRequests.json(["type": "url_verification", "challenge": "<script>\n"])
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(hostile)) == .malformed)
    }

    @Test("forged, unsigned, stale, malformed and unconfigured requests are refused")
    func refusals() async throws {
        let body = Self.envelope(Self.message)
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(body, secret: "another-secret")) == .forgedSignature)
        var tampered = Self.request(body)
        tampered.body = Array(body.replacingOccurrences(of: "hi *there*", with: "pay me").utf8)
        #expect(await RelayRequests.refusal(Self.receiver, tampered) == .forgedSignature)
        #expect(await RelayRequests.refusal(Self.receiver, InboundRequest(headers: [:], body: Array(body.utf8))) == .unsigned)
        let old = Self.request(body, timestamp: RelayRequests.now.addingTimeInterval(-301))
        #expect(await RelayRequests.refusal(Self.receiver, old) == .stale)
        let ahead = Self.request(body, timestamp: RelayRequests.now.addingTimeInterval(301))
        #expect(await RelayRequests.refusal(Self.receiver, ahead) == .stale)
        #expect(try await RelayRequests.events(Self.receiver, Self.request(body, timestamp: RelayRequests.now.addingTimeInterval(-299))).count == 1)
        #expect(await RelayRequests.refusal(Self.receiver, Self.request("{not json")) == .malformed)
        let noEventID = RelayRequests.json(["type": "event_callback", "event": Self.message])
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(noEventID)) == .malformed)
        let unconfigured = RelayRequests.receiver(.slack(.init(botToken: "xoxb-1")))
        #expect(await RelayRequests.refusal(unconfigured, Self.request(body)) == .notConfigured)
    }
}
