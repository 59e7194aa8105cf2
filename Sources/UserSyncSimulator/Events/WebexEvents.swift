import Foundation
import UserSyncDomain

/// Webex webhooks as docs/relay.md and platform-apis.md §4.6 describe them: for each webhook whose
/// owner is in the room (the bot's: rooms with the bot; a person's: their rooms), the webhook's
/// fields and the message's ids (the text is fetched with `GET /messages/{id}`), signed with
/// `X-Spark-Signature` = hex HMAC-SHA1 of the body keyed with the webhook's secret.
enum WebexEvents {
    /// The bot's person id (what `GET /people/me` answers for the bot token) and address.
    static let botPersonID = "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ib3Q"
    static let botEmail = "usersync@webex.bot"
    static let appID = SimChat.webexID("APPLICATION", "usersync")

    static func events(_ change: SimChatChange, _ message: SimChatMessage, _ context: SimEventContext) -> [SimOutgoingEvent] {
        let event =
            switch change {
            case .created: "created"
            case .edited: "updated"
            case .deleted: "deleted"
            }
        let members = [message.author, message.recipient]
        let covering = context.webhooks.filter { webhook in
            webhook.status == "active" && members.contains(webhook.owner) && ["messages", "all"].contains(webhook.resource)
                && [event, "all"].contains(webhook.event)
        }
        let orgID = context.organization.credentials.webex.orgID
        let author = context.account(.webex, message.author)
        var data: [String: AnyCodable] = [
            "id": .string(message.id), "roomId": .string(message.conversation), "roomType": "direct",
            "personId": .string(personID(message.author)),
            "personEmail": .string(message.author == SimChat.bot ? botEmail : author?.primaryEmail ?? ""),
            "created": .string(SimChatEvents.iso(message.at)),
        ]
        // Each edit has its own time, which tells two edits of one message apart.
        let updated = change == .edited ? SimChatEvents.iso(context.now) : nil
        if let updated { data["updated"] = .string(updated) }
        return covering.map { webhook in
            let body: [String: AnyCodable] = [
                "id": .string(webhook.id), "name": .string(webhook.name), "targetUrl": .string(webhook.targetURL), "resource": "messages",
                "event": .string(event), "filter": .optional(webhook.filter), "orgId": .string(orgID),
                "createdBy": .string(personID(webhook.owner)), "appId": .string(appID), "ownedBy": "creator", "status": "active",
                "created": .string(SimChatEvents.iso(webhook.created)), "actorId": .string(personID(message.author)),
                "data": .object(data),
            ]
            let encoded = SimSignatures.encode(body)
            let secret = webhook.secret
            return SimOutgoingEvent(
                organization: context.organization.name, platform: .webex, url: webhook.targetURL, kind: event,
                eventKey: [webhook.id, event, message.id, updated].compactMap { $0 }.joined(separator: ":"), body: encoded
            ) { _, _ in
                secret.map { [("X-Spark-Signature", SimSignatures.hmacSHA1(secret: $0, encoded))] } ?? []
            }
        }
    }

    /// A member's Webex person id: the bot's, or the person's own.
    static func personID(_ member: String) -> String { member == SimChat.bot ? botPersonID : member }
}
