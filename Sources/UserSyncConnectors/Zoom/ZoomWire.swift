/// Zoom API shapes (platform-apis.md §3).
struct ZoomUsersPage: Decodable {
    var next_page_token: String?
    var users: [ZoomUser]?
}

struct ZoomUser: Decodable {
    var id: String
    var email: String?
    var first_name: String?
    var last_name: String?
    var display_name: String?
    var status: String?
}

struct ZoomUserDetail: Decodable {
    var id: String
    var jid: String?
}

struct ZoomGroups: Decodable {
    struct Group: Decodable {
        var id: String
        var name: String
        var total_members: Int?
    }

    var groups: [Group]?
}

struct ZoomGroupMembers: Decodable {
    struct Member: Decodable {
        var id: String
        var email: String?
        var first_name: String?
        var last_name: String?
    }

    var members: [Member]?
    var next_page_token: String?
}

struct ZoomChatMessage: Encodable {
    struct Content: Encodable {
        struct Head: Encodable { var text: String }
        struct Element: Encodable {
            var type: String
            var text: String
        }

        var head: Head
        var body: [Element]
    }

    var robot_jid: String
    var to_jid: String
    var account_id: String
    var content: Content
}

struct ZoomChatMessageResponse: Decodable {
    var message_id: String?
}

/// `{"code": 124, "message": "…"}` from the API; `{"reason": "…", "error": "invalid_client"}` from OAuth.
struct ZoomErrorBody: Decodable {
    var code: FlexibleInt?
    var message: String?
    var error: String?
    var reason: String?
}
