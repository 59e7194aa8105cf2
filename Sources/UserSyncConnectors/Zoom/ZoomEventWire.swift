/// Zoom event notification shapes (platform-apis.md §3.6, docs/relay.md "Zoom Team Chat"). The
/// head is read first; each event's payload is read on its own, so another event's `object`
/// never fails a chat event's shape. The chat events' field names are unconfirmed ⚠️: both
/// spellings docs/relay.md names are read.
struct ZoomEventHead: Decodable {
    var event: String
    var event_ts: FlexibleInt?
}

struct ZoomURLValidation: Decodable {
    struct Payload: Decodable { var plainToken: String? }
    var payload: Payload?
}

/// `chat_message.sent`, `.updated`, `.deleted`.
struct ZoomChatEvent: Decodable {
    struct Payload: Decodable {
        var account_id: String?
        var operator_id: String?
        var object: Object?
    }

    struct Object: Decodable {
        var id: String?
        var message_id: String?
        var message: String?
        var to_contact: String?
        var contact_id: String?
        var reply_main_message_id: String?
        var date_time: String?
        /// Set on channel messages, which the relay leaves alone.
        var channel_id: String?
        var to_channel: String?
        var files: [File]?
    }

    struct File: Decodable {
        var file_name: String?
        var download_url: String?
        var file_size: Int?
    }

    var payload: Payload?
}

/// `bot_notification`: a person wrote to the chatbot.
struct ZoomBotNotification: Decodable {
    struct Payload: Decodable {
        var accountId: String?
        var userId: String?
        var userJid: String?
        var toJid: String?
        var robotJid: String?
        var cmd: String?
        var messageId: String?
        var timestamp: FlexibleInt?
    }

    var payload: Payload?
}

/// `POST /chat/users/me/messages` and `PUT /chat/users/me/messages/{id}` with a person's token.
struct ZoomUserChatMessage: Encodable {
    var message: String
    var to_contact: String
    var reply_main_message_id: String?
}

struct ZoomUserChatAnswer: Decodable {
    var id: String?
}

/// The chatbot's message as the relay sends it: the persona's name and label in the card's head.
struct ZoomRelayBotMessage: Encodable {
    var robot_jid: String
    var to_jid: String?
    var account_id: String
    var content: ZoomChatMessage.Content
    var is_markdown_support = true
    var reply_to: String?
}
