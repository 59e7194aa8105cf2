import Foundation

/// Verifies and reads one Slack connection's Events API requests (platform-apis.md §1.6,
/// docs/relay.md): the `v0` signature with the app's signing secret, the 5-minute window, then
/// the `url_verification` handshake or the direct messages (`message.im`) the relay acts on.
///
/// Who the message was written to comes from the envelope's `authorizations` (the installation
/// the event is visible to, `is_bot` telling the bot's from a person's):
/// - an `is_bot` authorization other than the sender: the bot is a member of the IM, and the
///   sender is not the bot, so the IM is with the bot (`toBot`: a reply to a persona);
/// - else one person's authorization other than the sender: an IM has two members, so that
///   person is the recipient (a linked account);
/// - else (only the sender's own authorization): unknown until ``SlackConnector/complete(_:)``
///   reads the IM's members. `authed_users` is not used: it does not say which id is the bot.
struct SlackEventReceiver: PlatformEventReceiver {
    let signingSecret: String?
    let replayWindow: TimeInterval

    func receive(_ request: InboundRequest, now: Date) async throws(EventRefusal) -> EventReception {
        guard let secret = signingSecret else {
            throw EventRefusal(.notConfigured, "the Slack connection has no signing secret")
        }
        try EventSignature.verifyV0(
            request, secret: secret, signatureHeader: "x-slack-signature", timestampHeader: "x-slack-request-timestamp", now: now,
            window: replayWindow)
        let envelope = try decodeEvent(SlackEventEnvelope.self, request.body, platform: "Slack")
        switch envelope.type {
        case "url_verification":
            guard EventSignature.isEchoable(envelope.challenge), let challenge = envelope.challenge else {
                throw EventRefusal(.malformed, "the url_verification carries no usable challenge")
            }
            return .challenge(body: challenge, contentType: "text/plain; charset=utf-8")
        case "event_callback":
            guard envelope.event?.type == "message", envelope.event?.channel_type == "im" else { return .events([]) }
            let message = try decodeEvent(SlackMessageEnvelope.self, request.body, platform: "Slack message").event
            return .events(try Self.event(message, envelope: envelope, now: now).map { [$0] } ?? [])
        default:
            // Signed by Slack but nothing the relay acts on (`app_rate_limited`, …).
            return .events([])
        }
    }

    /// The relay's event for a message in an IM, or nil for the app's own posts and subtypes
    /// that are not a person's message (joins, `message_replied`, unfurls that change nothing).
    static func event(_ message: SlackMessageEvent, envelope: SlackEventEnvelope, now: Date) throws(EventRefusal) -> InboundEvent? {
        guard message.bot_id == nil, message.subtype != "bot_message" else { return nil }
        guard let eventKey = envelope.event_id, let channel = message.channel else {
            throw EventRefusal(.malformed, "the message event has no event_id or channel")
        }
        let kind: InboundEvent.Kind
        let source: SlackChangedMessage
        switch message.subtype {
        case nil, "file_share", "thread_broadcast", "me_message":
            kind = .message
            source = SlackChangedMessage(
                user: message.user, text: message.text, ts: message.ts, thread_ts: message.thread_ts, files: message.files)
        case "message_changed":
            guard let changed = message.message else { throw EventRefusal(.malformed, "message_changed without the message") }
            // An edit of the app's own post, or a change that is not to the text (a reply added).
            guard changed.bot_id == nil, changed.subtype != "bot_message", changed.text != message.previous_message?.text else {
                return nil
            }
            kind = .edit
            source = changed
        case "message_deleted":
            guard message.previous_message?.bot_id == nil else { return nil }
            kind = .delete
            source = SlackChangedMessage(
                user: message.previous_message?.user, ts: message.deleted_ts ?? message.previous_message?.ts,
                thread_ts: message.previous_message?.thread_ts)
        default:
            return nil
        }
        guard let ts = source.ts, kind == .delete || source.user != nil else {
            throw EventRefusal(.malformed, "the message event has no ts or user")
        }
        // A deletion does not say who wrote the message; the relay finds it by its id.
        let sender = source.user ?? ""
        let authorizations = envelope.authorizations ?? []
        let bots = Set(authorizations.filter { $0.is_bot == true }.compactMap(\.user_id))
        guard !bots.contains(sender) else { return nil }
        let people = Set(authorizations.filter { $0.is_bot != true }.compactMap(\.user_id)).subtracting([sender])
        let toBot = !bots.isEmpty
        return InboundEvent(
            kind: kind, eventKey: eventKey, conversationID: channel, messageID: ts, senderUserID: sender,
            recipientUserID: !toBot && people.count == 1 ? people.first : nil, toBot: toBot,
            text: kind == .delete ? nil : source.text ?? "",
            threadID: source.thread_ts.flatMap { $0 == ts ? nil : $0 },
            files: (source.files ?? []).compactMap { file in
                file.url_private.map { InboundFile(name: file.name ?? file.title ?? "file", url: $0, size: file.size) }
            },
            sentAt: Double(ts).map { Date(timeIntervalSince1970: $0) }
                ?? envelope.event_time?.value.map { Date(timeIntervalSince1970: Double($0)) } ?? now)
    }
}
