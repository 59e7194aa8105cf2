/// Webex shapes of the relay (platform-apis.md §4.4, §4.6; docs/relay.md "Webex").

/// A webhook delivery. The envelope's `id` is the webhook's; `createdBy` is whoever registered it
/// (the bot, or a linked person with their token).
struct WebexWebhookEnvelope: Decodable {
    struct Data: Decodable {
        var id: String?
        var roomId: String?
        var roomType: String?
        var personId: String?
        var created: String?
        var updated: String?
    }

    var id: String?
    var resource: String?
    var event: String?
    var createdBy: String?
    var data: Data?
}

/// `GET /messages/{id}`, and the answer to `POST /messages`.
struct WebexMessageDetail: Decodable {
    var id: String?
    var roomId: String?
    var text: String?
    var markdown: String?
    var parentId: String?
    var personId: String?
    var toPersonId: String?
    var files: [String]?
    var created: String?
}

/// `GET /messages/direct?personId=`: the 1:1 room's messages, newest first.
struct WebexDirectMessages: Decodable {
    var items: [WebexMessageDetail]?
}

/// `POST /messages` (to a person) and `PUT /messages/{id}` (in the room the message is in).
struct WebexRelayMessageBody: Encodable {
    var toPersonId: String?
    var roomId: String?
    var markdown: String
    var text: String?
    var parentId: String?
}

struct WebexMembership: Decodable {
    var personId: String?
}

/// `GET /webhooks` items, and the body of `POST` and `PUT /webhooks`.
struct WebexWebhook: Codable {
    var id: String?
    var name: String?
    var targetUrl: String?
    var resource: String?
    var event: String?
    var secret: String?
    var status: String?
}
