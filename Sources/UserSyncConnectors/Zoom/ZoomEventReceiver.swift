import Crypto
import Foundation

/// Verifies and reads one Zoom connection's event notifications (platform-apis.md §3.6,
/// docs/relay.md): `x-zm-signature` with the Team Chat app's secret token and the 5-minute
/// window, then the `endpoint.url_validation` handshake, the 1:1 chat events of linked people
/// (`chat_message.*`: the author is `operator_id`, the other member `to_contact`/`contact_id`) and
/// the chatbot's `bot_notification` (always to the bot).
struct ZoomEventReceiver: PlatformEventReceiver {
    let secretToken: String?
    let replayWindow: TimeInterval

    func receive(_ request: InboundRequest, now: Date) async throws(EventRefusal) -> EventReception {
        guard let secret = secretToken else {
            throw EventRefusal(.notConfigured, "the Zoom connection has no webhook secret token")
        }
        try EventSignature.verifyV0(
            request, secret: secret, signatureHeader: "x-zm-signature", timestampHeader: "x-zm-request-timestamp", now: now,
            window: replayWindow)
        let head = try decodeEvent(ZoomEventHead.self, request.body, platform: "Zoom")
        switch head.event {
        case "endpoint.url_validation":
            let plain = try decodeEvent(ZoomURLValidation.self, request.body, platform: "Zoom").payload?.plainToken
            guard EventSignature.isEchoable(plain), let plain else {
                throw EventRefusal(.malformed, "the url_validation carries no usable plainToken")
            }
            let answer = ["plainToken": plain, "encryptedToken": EventSignature.hexMAC(SHA256.self, of: Array(plain.utf8), secret: secret)]
            let body = (try? JSONEncoder().encode(answer)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return .challenge(body: body, contentType: "application/json")
        case "chat_message.sent", "chat_message.updated", "chat_message.deleted":
            let chat = try decodeEvent(ZoomChatEvent.self, request.body, platform: "Zoom chat")
            return .events(try Self.event(chat, head: head, now: now).map { [$0] } ?? [])
        case "bot_notification":
            let notification = try decodeEvent(ZoomBotNotification.self, request.body, platform: "Zoom bot")
            return .events([try Self.event(notification, head: head, now: now)])
        default:
            return .events([])
        }
    }

    /// A linked person's 1:1 chat message; nil for a channel message.
    static func event(_ chat: ZoomChatEvent, head: ZoomEventHead, now: Date) throws(EventRefusal) -> InboundEvent? {
        guard let object = chat.payload?.object else { throw EventRefusal(.malformed, "the chat event has no object") }
        guard object.channel_id == nil, object.to_channel == nil else { return nil }
        guard let messageID = object.id ?? object.message_id, let sender = chat.payload?.operator_id,
            let recipient = object.to_contact ?? object.contact_id
        else { throw EventRefusal(.malformed, "the chat event has no message id, operator or contact") }
        let kind: InboundEvent.Kind =
            switch head.event {
            case "chat_message.updated": .edit
            case "chat_message.deleted": .delete
            default: .message
            }
        return InboundEvent(
            kind: kind, eventKey: key(head, messageID), conversationID: conversation(sender, recipient), messageID: messageID,
            senderUserID: sender, recipientUserID: recipient, toBot: false, text: kind == .delete ? nil : object.message ?? "",
            threadID: object.reply_main_message_id,
            files: (object.files ?? []).compactMap { file in
                file.download_url.map { InboundFile(name: file.file_name ?? "file", url: $0, size: file.file_size) }
            },
            sentAt: parseEventDate(object.date_time) ?? date(head.event_ts) ?? now)
    }

    /// A person's message to the chatbot: a reply to whichever persona last wrote to them.
    static func event(_ notification: ZoomBotNotification, head: ZoomEventHead, now: Date) throws(EventRefusal) -> InboundEvent {
        guard let payload = notification.payload, let sender = payload.userId, let text = payload.cmd else {
            throw EventRefusal(.malformed, "the bot_notification has no userId or cmd")
        }
        // Without a message id (unconfirmed ⚠️), the notification's time stands in for it.
        let messageID = payload.messageId ?? "\(payload.timestamp?.value ?? head.event_ts?.value ?? 0)"
        return InboundEvent(
            kind: .message, eventKey: key(head, messageID) + ":" + sender,
            conversationID: conversation(sender, payload.robotJid ?? payload.toJid ?? "bot"), messageID: messageID,
            senderUserID: sender, recipientUserID: nil, toBot: true, text: text, threadID: nil,
            sentAt: date(payload.timestamp) ?? date(head.event_ts) ?? now)
    }

    /// The event and message, and the notification's time: two edits of one message are two
    /// events, and a redelivery carries the same time.
    private static func key(_ head: ZoomEventHead, _ messageID: String) -> String {
        [head.event, messageID, head.event_ts?.value.map(String.init)].compactMap { $0 }.joined(separator: ":")
    }

    /// A 1:1 chat is named by its two members, in a fixed order.
    static func conversation(_ first: String, _ second: String) -> String {
        [first, second].sorted().joined(separator: ",")
    }

    private static func date(_ milliseconds: FlexibleInt?) -> Date? {
        milliseconds?.value.flatMap { EventSignature.date(String($0)) }
    }
}
