import Crypto
import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// What the relay refuses, and what it answers instead of delivering: events that are not the
/// platform's (forged, stale, unsigned, malformed) are refused and leave nothing behind; an event
/// the platform sends twice is delivered once; a recipient who cannot be reached gets a throttled
/// reminder and the sender one bot message saying why; a message between two people on the same
/// platform is left to it.
@Suite(.relayOrganization) struct RelayRefusalTests {
    var relay: RelayOrganization.Fixture { RelayOrganization.current! }

    /// A Slack `message.im` event from `from` to the app's bot, as Slack would send it.
    func slackEvent(id: String, from: RelayOrganization.Member, text: String) throws -> String {
        let summary = try #require(relay.simulator.summary(organization: "acme"))
        let event: [String: Any] = [
            "type": "event_callback", "team_id": summary.credentials.slack.teamID, "api_app_id": "A0RELAYTEST", "event_id": id,
            "event_time": Int(Date().timeIntervalSince1970), "authorizations": [["user_id": "UBOT", "is_bot": true]],
            "event": [
                "type": "message", "channel_type": "im", "channel": "D0\(id)", "user": from.user(.slack), "text": text,
                "ts": "\(Int(Date().timeIntervalSince1970)).000100",
            ],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
    }

    func post(_ body: String, timestamp: Int = Int(Date().timeIntervalSince1970), secret: String? = nil, signature: String? = nil) async throws
        -> Reply
    {
        let key = try secret ?? #require(relay.simulator.summary(organization: "acme")).credentials.slack.signingSecret
        let mac = HMAC<SHA256>.authenticationCode(for: Data("v0:\(timestamp):\(body)".utf8), using: SymmetricKey(data: Data(key.utf8)))
        var headers: HTTPFields = [HTTPField.Name("X-Slack-Request-Timestamp")!: "\(timestamp)"]
        headers[HTTPField.Name("X-Slack-Signature")!] = signature ?? "v0=" + mac.map { String(format: "%02x", $0) }.joined()
        return try await relay.api.call(
            .post, "/events/slack/\(relay.organizationID)/\(relay.connections[.slack]!)", token: nil, json: body, headers: headers)
    }

    @Test func anEventSentTwiceIsDeliveredOnce() async throws {
        let sender = relay.member(.slackPeer), recipient = relay.member(.webexOnly)
        let body = try slackEvent(id: "Ev0DUPLICATE1", from: sender, text: "\(recipient.email): said once")
        #expect(try await post(body).status == .ok)
        #expect(try await post(body).status == .ok)
        _ = try await relay.received(.webex, by: recipient, containing: "said once")
        #expect(
            try await eventually(.seconds(60), "the ledger settles") {
                try await relay.ledger(person: sender.id).allSatisfy { $0.state != "received" }
            })
        #expect(relay.inbox(.webex, of: recipient).filter { $0.text.contains("said once") }.count == 1)
        #expect(try await relay.ledger().filter { $0.source.messageId.isEmpty == false && $0.source.conversation == "D0Ev0DUPLICATE1" }.count == 1)
    }

    @Test func eventsThatAreNotSlacksAreRefusedAndLeaveNothing() async throws {
        let body = try slackEvent(id: "Ev0FORGED0001", from: relay.member(.slackOnly), text: "forged")
        let forged = try await post(body, secret: "not-the-signing-secret")
        #expect(forged.status == .unauthorized && forged.code == "forged_signature", "\(forged.text)")
        let stale = try await post(body, timestamp: Int(Date().timeIntervalSince1970) - 600)
        #expect(stale.status == .unauthorized && stale.code == "stale", "\(stale.text)")
        let unsigned = try await post(body, signature: "")
        #expect(unsigned.status == .unauthorized, "\(unsigned.text)")
        let malformed = try await post("{\"type\": \"event_callback\", \"event\": [}")
        #expect(malformed.status == .badRequest && malformed.code == "malformed", "\(malformed.text)")
        let elsewhere = try await relay.api.call(
            .post, "/events/slack/\(relay.organizationID)/\(UUID().uuidString.lowercased())", token: nil, json: body)
        #expect(elsewhere.status == .notFound, "\(elsewhere.text)")
        // Nothing of the refused event was stored (other tests of the suite write meanwhile).
        #expect(try await relay.ledger().filter { $0.source.conversation == "D0Ev0FORGED0001" }.isEmpty)
    }

    @Test func aRecipientWhoIsNotSyncedIsRemindedOnceAndTheSenderToldWhy() async throws {
        let sender = relay.member(.slackOnly), recipient = relay.member(.teamsUnsynced)
        func notices() -> (sender: Int, recipient: Int) {
            let sent = relay.simulator.messages(organization: "acme")
            return (
                sent.filter { $0.to == sender.user(.slack) && $0.text.contains(recipient.name) }.count,
                sent.filter { $0.to == recipient.user(.teams) && $0.text.contains(sender.name) }.count
            )
        }
        try relay.write(.slack, from: sender, to: "bot", "\(recipient.email): knock knock")
        #expect(try await eventually(.seconds(60), "the sender is told and the recipient reminded") { notices() == (1, 1) })
        // The notices are out a moment before the ledger records the message as notified.
        var notified: RelayMessageView?
        #expect(
            try await eventually(.seconds(60), "the ledger records the message as notified") {
                notified = try await relay.ledger(person: recipient.id, state: "notified").first
                return notified != nil
            })
        let first = try #require(notified)
        #expect(first.cause == "recipient_not_synced")
        // Written again: recorded, but nobody is told twice within the throttle window.
        try relay.write(.slack, from: sender, to: "bot", "\(recipient.email): knock knock again")
        #expect(
            try await eventually(.seconds(60), "the second message is recorded") {
                try await relay.ledger(person: recipient.id, state: "notified").count == 2
            })
        #expect(notices() == (1, 1))
    }

    @Test func aMessageForSomeoneOnTheSamePlatformIsLeftToIt() async throws {
        let slack = relay.member(.slackOnly), peer = relay.member(.slackPeer)
        let written = try relay.write(.slack, from: slack, to: "bot", "\(peer.email): same platform hello")
        let settled = try await eventually(.seconds(60), "the ledger settles the message") {
            try await relay.ledger(person: peer.id).contains { $0.source.messageId == written.id && $0.state != "received" }
        }
        #expect(settled)
        let row = try #require(try await relay.ledger(person: peer.id).first { $0.source.messageId == written.id })
        #expect(row.state == "ignored")
        #expect(row.cause == "same_platform")
        #expect(row.senderPersonId == slack.id)
        #expect(row.recipientPersonId == peer.id)
        #expect(row.destination == nil, "no destination is read for it")
        #expect(!relay.inbox(.slack, of: peer).contains { $0.text.contains("same platform hello") }, "nothing is posted")
    }
}
