/// Bot Framework activity and Graph chat shapes of the relay (platform-apis.md §2.4; docs/relay.md
/// "Microsoft Teams").

/// An activity the Bot Framework delivers to the bot's messaging endpoint.
struct BotActivityIn: Decodable {
    struct Account: Decodable {
        var id: String?
        var aadObjectId: String?
    }

    struct Conversation: Decodable {
        var id: String?
        var conversationType: String?
        var tenantId: String?
    }

    /// An attachment: Teams adds the message's HTML as a `text/html` attachment whose `content` is
    /// a string, and files as `…file.download.info` whose `content` is an object.
    struct Attachment: Decodable {
        struct FileInfo: Decodable { var downloadUrl: String? }

        var contentType: String?
        var contentUrl: String?
        var name: String?
        var html: String?
        var file: FileInfo?

        enum CodingKeys: String, CodingKey { case contentType, contentUrl, name, content }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            contentType = try? container.decodeIfPresent(String.self, forKey: .contentType)
            contentUrl = try? container.decodeIfPresent(String.self, forKey: .contentUrl)
            name = try? container.decodeIfPresent(String.self, forKey: .name)
            html = try? container.decodeIfPresent(String.self, forKey: .content)
            file = try? container.decodeIfPresent(FileInfo.self, forKey: .content)
        }
    }

    var type: String?
    var id: String?
    var timestamp: String?
    var serviceUrl: String?
    var channelId: String?
    var from: Account?
    var conversation: Conversation?
    var text: String?
    var textFormat: String?
    var replyToId: String?
    var attachments: [Attachment]?
}

/// The bot's message as the relay posts and edits it (`xml`: Teams' HTML subset).
struct BotRelayActivity: Encodable {
    var type = "message"
    var id: String?
    var textFormat = "xml"
    var text: String
    var replyToId: String?
}

/// `POST /chats`: the 1:1 chat of two people (Graph returns the existing one).
struct GraphChatCreate: Encodable {
    struct Member: Encodable {
        var odataType = "#microsoft.graph.aadUserConversationMember"
        var roles = ["owner"]
        var userBind: String

        enum CodingKeys: String, CodingKey {
            case odataType = "@odata.type"
            case roles
            case userBind = "user@odata.bind"
        }
    }

    var chatType = "oneOnOne"
    var members: [Member]
}

/// `POST /chats/{id}/messages` and `PATCH /chats/{id}/messages/{id}`.
struct GraphChatMessageBody: Encodable {
    struct Body: Encodable {
        var contentType = "html"
        var content: String
    }

    var body: Body
}
