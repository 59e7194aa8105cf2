import UserSyncDomain

/// Slack Web API response shapes (platform-apis.md §1). Every field a real workspace may omit is optional.
protocol SlackEnvelope: Decodable {
    var ok: Bool { get }
    var error: String? { get }
    var needed: String? { get }
}

struct SlackError: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
}

struct SlackAuthTest: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var team_id: String?
    var team: String?
    var user_id: String?
}

struct SlackUsersList: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var members: [SlackUser]?
    var response_metadata: SlackResponseMetadata?
}

struct SlackResponseMetadata: Decodable {
    var next_cursor: String?
}

struct SlackUser: Decodable {
    struct Profile: Decodable {
        var email: String?
        var display_name: String?
        var real_name: String?
        var bot_id: String?
    }

    var id: String
    var deleted: Bool?
    var real_name: String?
    var is_bot: Bool?
    var is_app_user: Bool?
    var is_restricted: Bool?
    var is_ultra_restricted: Bool?
    var is_invited_user: Bool?
    var is_admin: Bool?
    var is_owner: Bool?
    var is_primary_owner: Bool?
    var profile: Profile?
}

struct SlackUserInfo: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var user: SlackUser?
}

struct SlackUsergroupsList: SlackEnvelope {
    struct Group: Decodable {
        var id: String
        var name: String
        var description: String?
        var date_delete: Int?
        var user_count: FlexibleInt?
    }

    var ok: Bool
    var error: String?
    var needed: String?
    var usergroups: [Group]?
}

struct SlackUsergroupUsers: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var users: [String]?
}

struct SlackConversationsOpen: SlackEnvelope {
    struct Channel: Decodable { var id: String }
    var ok: Bool
    var error: String?
    var needed: String?
    var channel: Channel?
}

struct SlackPostMessage: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var ts: String?
}

struct SlackOAuthAccess: SlackEnvelope {
    struct AuthedUser: Decodable {
        var id: String?
        var scope: String?
        var access_token: String?
        var refresh_token: String?
        var expires_in: Int?
    }

    var ok: Bool
    var error: String?
    var needed: String?
    var access_token: String?
    var refresh_token: String?
    var expires_in: Int?
    var scope: String?
    var authed_user: AuthedUser?
}

struct SlackAuthRevoke: SlackEnvelope {
    var ok: Bool
    var error: String?
    var needed: String?
    var revoked: Bool?
}

/// Slack's `chat.postMessage` body with a button that carries the link.
struct SlackMessageBody: JSONWritable {
    struct Block: JSONWritable {
        struct Text: JSONWritable {
            var type: String
            var text: String

            func write(to json: inout JSONWriter) {
                json.object {
                    $0.member("type", type)
                    $0.member("text", text)
                }
            }
        }

        struct Element: JSONWritable {
            var type = "button"
            var text: Text
            var url: String

            func write(to json: inout JSONWriter) {
                json.object {
                    $0.member("type", type)
                    $0.member("text", text)
                    $0.member("url", url)
                }
            }
        }

        var type: String
        var text: Text?
        var elements: [Element]?

        /// Members left out when absent, as Slack's examples have them.
        func write(to json: inout JSONWriter) {
            json.object {
                $0.member("type", type)
                if let text { $0.member("text", text) }
                if let elements { $0.member("elements", elements) }
            }
        }
    }

    var channel: String
    var text: String
    var blocks: [Block]

    func write(to json: inout JSONWriter) {
        json.object {
            $0.member("channel", channel)
            $0.member("text", text)
            $0.member("blocks", blocks)
        }
    }
}
