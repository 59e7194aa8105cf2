/// Events API shapes (platform-apis.md §1.6, docs/relay.md "Slack"). The envelope is read first
/// with only what every event has; a message event is read again in full, so that other events
/// (whose `user` is an object, not an id) never fail a message's shape.
struct SlackEventEnvelope: Decodable {
    struct Authorization: Decodable {
        var user_id: String?
        var is_bot: Bool?
    }

    struct Head: Decodable {
        var type: String?
        var channel_type: String?
    }

    var type: String
    var challenge: String?
    var event_id: String?
    var event_time: FlexibleInt?
    var authorizations: [Authorization]?
    var event: Head?
}

/// A `message` event in full.
struct SlackMessageEnvelope: Decodable {
    var event: SlackMessageEvent
}

struct SlackMessageEvent: Decodable {
    var subtype: String?
    var channel: String?
    var user: String?
    var text: String?
    var ts: String?
    var thread_ts: String?
    var bot_id: String?
    var files: [SlackEventFile]?
    /// `message_changed`: the message as it is now, and as it was.
    var message: SlackChangedMessage?
    var previous_message: SlackChangedMessage?
    /// `message_deleted`.
    var deleted_ts: String?
}

struct SlackChangedMessage: Decodable {
    var subtype: String?
    var user: String?
    var text: String?
    var ts: String?
    var thread_ts: String?
    var bot_id: String?
    var files: [SlackEventFile]?
}

struct SlackEventFile: Decodable {
    var name: String?
    var title: String?
    var url_private: String?
    var size: Int?
}

/// `conversations.members`.
struct SlackConversationMembers: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var members: [String]?
}

/// `chat.postMessage` as the relay sends it: as a linked person (their token) or as a persona
/// (the bot's token with `username` and `icon_url`, scope `chat:write.customize`).
struct SlackRelayMessageBody: Encodable {
    var channel: String
    var text: String
    var thread_ts: String?
    var username: String?
    var icon_url: String?
    var metadata: SlackMessageMetadata?
}

/// Message metadata (`chat.postMessage`'s `metadata`, echoed by `conversations.history` with
/// `include_all_metadata`): the relay's id of the message it posts.
struct SlackMessageMetadata: Codable, Equatable {
    static let eventType = "usersync_relayed"

    /// The metadata of the relay's post of its message `key`.
    static func relayed(_ key: String) -> SlackMessageMetadata { .init(event_type: eventType, event_payload: .init(message_id: key)) }

    struct Payload: Codable, Equatable {
        var message_id: String
    }

    var event_type: String
    var event_payload: Payload
}

/// `conversations.history`: the DM's messages, newest first.
struct SlackHistory: SlackEnvelope {
    struct Message: Decodable {
        var ts: String?
        var metadata: SlackMessageMetadata?
    }

    var ok: Bool
    var error: String?
    var needed: String?
    var messages: [Message]?
}

/// `chat.update` and `chat.delete`.
struct SlackMessageChange: Encodable {
    var channel: String
    var ts: String
    var text: String?
}

struct SlackChatAnswer: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var ts: String?
    var channel: String?
}
