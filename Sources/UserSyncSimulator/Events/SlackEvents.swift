import Foundation
import UserSyncDomain

/// Slack's Events API as docs/relay.md and platform-apis.md §1.6 describe it: `event_callback`
/// envelopes of `message.im` events, signed `v0=` HMAC-SHA256 with the app's signing secret.
enum SlackEvents {
    /// The app's bot user (what `auth.test` answers for the bot token), bot and app ids.
    static let botUserID = "UBOT000001"
    static let botID = "B0SIMULATED"
    static let appID = "A0SIMULATED"
    static let userAgent = "Slackbot 1.0 (+https://api.slack.com/robots)"

    /// The event for a DM with the app's bot, or a DM one of whose members authorized the app (the
    /// event names that person's authorization).
    static func events(
        _ change: SimChatChange, _ message: SimChatMessage, previous: SimChatMessage?, _ context: SimEventContext
    ) -> [SimOutgoingEvent] {
        guard let endpoint = context.endpoint else { return [] }
        let authorization: (user: String, isBot: Bool)
        if message.recipient == SimChat.bot {
            authorization = (botUserID, true)
        } else if let person = [message.recipient, message.author].first(where: context.authorized.contains) {
            authorization = (person, false)
        } else {
            return []
        }
        let credentials = context.organization.credentials.slack
        let eventID = "Ev" + SimChatEvents.randomID(10)
        let envelope: [String: AnyCodable] = [
            "token": "simulated-verification-token", "team_id": .string(credentials.teamID), "api_app_id": .string(appID),
            "event": .object(event(change, message, previous: previous, teamID: credentials.teamID, now: context.now)), "type": "event_callback",
            "event_id": .string(eventID), "event_time": .int(Int(context.now.timeIntervalSince1970)),
            "authorizations": [
                .object([
                    "enterprise_id": nil, "team_id": .string(credentials.teamID), "user_id": .string(authorization.user),
                    "is_bot": .bool(authorization.isBot), "is_enterprise_install": false,
                ])
            ],
            "is_ext_shared_channel": false,
        ]
        return [
            signed(
                envelope, kind: "event_callback", key: eventID, organization: context.organization.name, url: endpoint.url,
                secret: credentials.signingSecret)
        ]
    }

    static func event(
        _ change: SimChatChange, _ message: SimChatMessage, previous: SimChatMessage?, teamID: String, now: Date
    ) -> [String: AnyCodable] {
        let changeTS = String(format: "%.6f", now.timeIntervalSince1970)
        let author = AnyCodable.string(message.author == SimChat.bot ? botUserID : message.author)
        var base: [String: AnyCodable] = ["type": "message", "channel": .string(message.conversation), "channel_type": "im"]
        switch change {
        case .created:
            base["user"] = author
            base["text"] = .string(message.text)
            base["ts"] = .string(message.id)
            base["event_ts"] = .string(message.id)
            base["team"] = .string(teamID)
            base["client_msg_id"] = .string(UUID().uuidString.lowercased())
            if let thread = message.thread { base["thread_ts"] = .string(thread) }
            if !message.files.isEmpty {
                base["subtype"] = "file_share"
                base["files"] = .array(message.files.map(file))
            }
        case .edited:
            var changed: [String: AnyCodable] = [
                "type": "message", "user": author, "text": .string(message.text), "ts": .string(message.id), "team": .string(teamID),
                "edited": .object(["user": author, "ts": .string(changeTS)]),
            ]
            if let thread = message.thread { changed["thread_ts"] = .string(thread) }
            base["subtype"] = "message_changed"
            base["hidden"] = true
            base["ts"] = .string(changeTS)
            base["event_ts"] = .string(changeTS)
            base["message"] = .object(changed)
            base["previous_message"] = original(previous ?? message, author: author)
        case .deleted:
            base["subtype"] = "message_deleted"
            base["hidden"] = true
            base["ts"] = .string(changeTS)
            base["event_ts"] = .string(changeTS)
            base["deleted_ts"] = .string(message.id)
            base["previous_message"] = original(message, author: author)
        }
        return base
    }

    /// The message as it was before the change.
    private static func original(_ message: SimChatMessage, author: AnyCodable) -> AnyCodable {
        var fields: [String: AnyCodable] = ["type": "message", "user": author, "text": .string(message.text), "ts": .string(message.id)]
        if let thread = message.thread { fields["thread_ts"] = .string(thread) }
        return .object(fields)
    }

    private static func file(_ file: SimChatFile) -> AnyCodable {
        .object([
            "id": .string("F" + String(stableHash(file.url), radix: 36).uppercased().prefix(10)), "name": .string(file.name),
            "title": .string(file.name), "url_private": .string(file.url), "size": file.size.map(AnyCodable.int) ?? .null,
        ])
    }

    /// A request signed as Slack signs, with the retry headers on resends.
    static func signed(
        _ body: [String: AnyCodable], kind: String, key: String, organization: String, url: String, secret: String
    ) -> SimOutgoingEvent {
        let data = SimSignatures.encode(body)
        return SimOutgoingEvent(
            organization: organization, platform: .slack, url: url, kind: kind, eventKey: key, body: data
        ) { retry, reason in
            let timestamp = SimSignatures.timestamp(Date())
            var headers = [
                ("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", SimSignatures.v0(secret: secret, timestamp: timestamp, body: data)),
                ("User-Agent", userAgent),
            ]
            if retry > 0 { headers += [("X-Slack-Retry-Num", String(retry)), ("X-Slack-Retry-Reason", reason ?? "unknown_error")] }
            return headers
        }
    }
}
