import Crypto
import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain

@Suite("Relay: Webex webhook deliveries are verified before they are read")
struct RelayWebexReceiverTests {
    static let secret = "usersync-made-this-secret"
    static let receiver = RelayRequests.receiver(.webex(.init(adminToken: "admin", botToken: "bot", webhookSecret: secret)))

    static func request(_ body: String, secret: String = secret) -> InboundRequest {
        InboundRequest(headers: ["X-Spark-Signature": RelayRequests.hmac(Insecure.SHA1.self, body, secret: secret)], body: Array(body.utf8))
    }

    static func delivery(
        event: String = "created", resource: String = "messages", roomType: String = "direct", person: String = "wx-ada",
        createdBy: String = "wx-bot", updated: String? = nil
    ) -> String {
        var data: [String: Any] = [
            "id": "wx-msg-1", "roomId": "wx-room-1", "roomType": roomType, "personId": person, "personEmail": "ada@example.com",
            "created": "2024-11-12T08:29:59.000Z",
        ]
        if let updated { data["updated"] = updated }
        return RelayRequests.json([
            "id": "wx-hook-1", "name": "usersync relay", "targetUrl": "https://sync.example.com/events/webex/o/c", "resource": resource,
            "event": event, "createdBy": createdBy, "actorId": person, "ownedBy": "creator", "status": "active", "data": data,
        ])
    }

    @Test("a direct message: ids only, the text is fetched later")
    func created() async throws {
        let event = try #require(try await RelayRequests.events(Self.receiver, Self.request(Self.delivery())).first)
        #expect(event.kind == .message)
        #expect(event.eventKey == "wx-hook-1:created:wx-msg-1")
        #expect(event.conversationID == "wx-room-1")
        #expect(event.messageID == "wx-msg-1")
        #expect(event.senderUserID == "wx-ada")
        // In a direct room the webhook's owner is the other member: here the bot (`complete` says so).
        #expect(event.recipientUserID == "wx-bot")
        #expect(event.text == nil)
        #expect(event.sentAt == Date(timeIntervalSince1970: 1_731_400_199))
    }

    @Test("edits and deletions; two edits of one message are two events")
    func updatedAndDeleted() async throws {
        let first = try await RelayRequests.events(Self.receiver, Self.request(Self.delivery(event: "updated", updated: "2024-11-12T08:31:00.000Z")))
        let second = try await RelayRequests.events(Self.receiver, Self.request(Self.delivery(event: "updated", updated: "2024-11-12T08:32:00.000Z")))
        #expect(first.first?.kind == .edit)
        #expect(first.first?.eventKey != second.first?.eventKey)
        #expect(try await RelayRequests.events(Self.receiver, Self.request(Self.delivery(event: "deleted"))).first?.kind == .delete)
    }

    @Test("the webhook owner's own messages, group rooms and other resources are taken and dropped")
    func ignored() async throws {
        for body in [Self.delivery(person: "wx-bot"), Self.delivery(roomType: "group"), Self.delivery(resource: "memberships")] {
            #expect(try await RelayRequests.events(Self.receiver, Self.request(body)).isEmpty)
        }
    }

    @Test("forged, unsigned, malformed and unconfigured requests are refused")
    func refusals() async throws {
        let body = Self.delivery()
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(body, secret: "guess")) == .forgedSignature)
        let sha256 = InboundRequest(
            headers: ["X-Spark-Signature": RelayRequests.hmac(SHA256.self, body, secret: Self.secret)], body: Array(body.utf8))
        #expect(await RelayRequests.refusal(Self.receiver, sha256) == .forgedSignature)
        #expect(await RelayRequests.refusal(Self.receiver, InboundRequest(headers: [:], body: Array(body.utf8))) == .unsigned)
        #expect(await RelayRequests.refusal(Self.receiver, Self.request("garbage")) == .malformed)
        let noData = RelayRequests.json(["id": "h", "resource": "messages", "event": "created"])
        #expect(await RelayRequests.refusal(Self.receiver, Self.request(noData)) == .malformed)
        let unconfigured = RelayRequests.receiver(.webex(.init(adminToken: "admin")))
        #expect(await RelayRequests.refusal(unconfigured, Self.request(body)) == .notConfigured)
    }
}
