import Crypto
import Foundation

/// Verifies and reads one Webex connection's webhook deliveries (platform-apis.md §4.6,
/// docs/relay.md): `X-Spark-Signature`, hex HMAC-SHA1 of the raw body with the secret UserSync
/// registered the webhook with, then `messages` events in direct rooms. Webex signs no timestamp:
/// a replay is recognised by its event key. The text is not in the delivery;
/// ``WebexConnector/complete(_:)`` fetches it.
///
/// The webhook's owner (`createdBy`) is a member of the room: a message by the owner is the
/// owner's own (the bot's post, or a linked person's message that the other member's webhook
/// also reports) and is dropped. In a direct room the other member is the owner, so the owner is
/// the recipient: the bot (`complete` says so, as it fetches the text) or a person whose linked
/// account UserSync hears through their own webhook (and reads with their token).
struct WebexEventReceiver: PlatformEventReceiver {
    let secret: String?

    func receive(_ request: InboundRequest, now: Date) async throws(EventRefusal) -> EventReception {
        guard let secret else { throw EventRefusal(.notConfigured, "the Webex connection has no webhook secret") }
        guard let signature = request.header("x-spark-signature") else {
            throw EventRefusal(.unsigned, "the request carries no X-Spark-Signature")
        }
        guard EventSignature.isValid(Insecure.SHA1.self, hex: signature, of: request.body, secret: secret) else {
            throw EventRefusal(.forgedSignature, "X-Spark-Signature does not match the body")
        }
        let envelope = try decodeEvent(WebexWebhookEnvelope.self, request.body, platform: "Webex")
        let kind: InboundEvent.Kind
        switch (envelope.resource, envelope.event) {
        case ("messages", "created"): kind = .message
        case ("messages", "updated"): kind = .edit
        case ("messages", "deleted"): kind = .delete
        default: return .events([])
        }
        guard let data = envelope.data else { throw EventRefusal(.malformed, "the webhook delivery has no data") }
        guard data.roomType == "direct" else { return .events([]) }
        guard let messageID = data.id, let roomID = data.roomId, let sender = data.personId else {
            throw EventRefusal(.malformed, "the message event has no id, roomId or personId")
        }
        guard envelope.createdBy != sender else { return .events([]) }
        // The webhook, the event and the message; an edit's time tells two edits apart.
        let key = [envelope.id, envelope.event, messageID, data.updated].compactMap { $0 }.joined(separator: ":")
        return .events([
            InboundEvent(
                kind: kind, eventKey: key, conversationID: roomID, messageID: messageID, senderUserID: sender,
                recipientUserID: envelope.createdBy, toBot: false, text: nil, threadID: nil,
                sentAt: parseEventDate(data.updated ?? data.created) ?? now)
        ])
    }
}
