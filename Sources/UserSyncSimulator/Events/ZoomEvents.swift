import Foundation
import UserSyncDomain

/// Zoom's event notifications as docs/relay.md and platform-apis.md §3.6 describe them:
/// `chat_message.sent|updated|deleted` for DMs of people who authorized the app,
/// `bot_notification` for messages to the chatbot; signed `v0=` HMAC-SHA256 with the secret token.
enum ZoomEvents {
    static func events(_ change: SimChatChange, _ message: SimChatMessage, _ context: SimEventContext) -> [SimOutgoingEvent] {
        guard let endpoint = context.endpoint else { return [] }
        let credentials = context.organization.credentials.zoom
        let millis = Int(context.now.timeIntervalSince1970 * 1000)
        let author = context.account(.zoom, message.author)
        let body: [String: AnyCodable]
        let kind: String
        if message.recipient == SimChat.bot {
            // The chatbot hears of new messages only; Zoom sends it no edits or deletions.
            guard change == .created else { return [] }
            kind = "bot_notification"
            let userJID = jid(message.author)
            body = [
                "event": "bot_notification", "event_ts": .int(millis),
                "payload": .object([
                    "accountId": .string(credentials.accountID), "userId": .string(message.author),
                    "userName": .string(author?.displayName ?? ""), "userEmail": .optional(author?.primaryEmail),
                    "userJid": .string(userJID), "toJid": .string(userJID), "robotJid": .string(credentials.robotJID),
                    "cmd": .string(message.text), "messageId": .string(message.id), "timestamp": .int(millis),
                ]),
            ]
        } else {
            guard !context.authorized.isDisjoint(with: [message.author, message.recipient]) else { return [] }
            kind =
                switch change {
                case .created: "chat_message.sent"
                case .edited: "chat_message.updated"
                case .deleted: "chat_message.deleted"
                }
            let recipient = context.account(.zoom, message.recipient)
            var object: [String: AnyCodable] = [
                "id": .string(message.id), "message_id": .string(message.id), "to_contact": .string(message.recipient),
                "contact_id": .string(message.recipient), "contact_email": .optional(recipient?.primaryEmail),
                "contact_display_name": .optional(recipient?.displayName), "date_time": .string(SimChatEvents.iso(message.at)),
                "timestamp": .int(Int(message.at.timeIntervalSince1970 * 1000)),
            ]
            if change != .deleted { object["message"] = .string(message.text) }
            if let thread = message.thread { object["reply_main_message_id"] = .string(thread) }
            if !message.files.isEmpty {
                object["files"] = .array(
                    message.files.map {
                        .object(["file_name": .string($0.name), "download_url": .string($0.url), "file_size": $0.size.map(AnyCodable.int) ?? .null])
                    })
            }
            body = [
                "event": .string(kind), "event_ts": .int(millis),
                "payload": .object([
                    "account_id": .string(credentials.accountID), "operator": .optional(author?.primaryEmail),
                    "operator_id": .string(message.author), "object": .object(object),
                ]),
            ]
        }
        return [
            signed(
                body, kind: kind, key: "\(kind):\(message.id)", organization: context.organization.name, url: endpoint.url,
                secret: credentials.webhookSecretToken)
        ]
    }

    /// A user's chat JID, as `GET /users/{id}` gives it.
    static func jid(_ userID: String) -> String { "\(userID.lowercased())@xmpp.zoom.us" }

    static func signed(
        _ body: [String: AnyCodable], kind: String, key: String, organization: String, url: String, secret: String
    ) -> SimOutgoingEvent {
        let data = SimSignatures.encode(body)
        return SimOutgoingEvent(organization: organization, platform: .zoom, url: url, kind: kind, eventKey: key, body: data) { _, _ in
            let timestamp = SimSignatures.timestamp(Date())
            return [
                ("x-zm-request-timestamp", timestamp), ("x-zm-signature", SimSignatures.v0(secret: secret, timestamp: timestamp, body: data)),
                ("User-Agent", "Zoom Marketplace/1.0a"),
            ]
        }
    }
}
