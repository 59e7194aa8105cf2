/// Microsoft Graph, identity platform and Bot Connector shapes (platform-apis.md §2).
struct GraphCollection<Item: Decodable>: Decodable {
    var value: [Item]
    var nextLink: String?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
    }
}

/// An Entra directory role the user holds; built-in roles are told apart by template id.
struct GraphDirectoryRole: Decodable, Sendable {
    var id: String
    var displayName: String?
    var roleTemplateId: String?
}

struct GraphUser: Decodable {
    var id: String
    var displayName: String?
    var givenName: String?
    var surname: String?
    var mail: String?
    var userPrincipalName: String?
    var otherMails: [String]?
    var accountEnabled: Bool?
    var userType: String?
}

struct GraphOrganization: Decodable {
    var id: String
    var displayName: String?
}

/// A team, or an Entra group (the same fields).
struct GraphTeam: Decodable {
    var id: String
    var displayName: String?
    var description: String?
}

struct GraphConversationMember: Decodable {
    var odataType: String?
    var userId: String?
    var email: String?
    var displayName: String?

    enum CodingKeys: String, CodingKey {
        case odataType = "@odata.type"
        case userId, email, displayName
    }
}

struct GraphInstalledApp: Decodable {
    var id: String
}

struct GraphChat: Decodable {
    var id: String
}

struct GraphMe: Decodable {
    var id: String
}

struct GraphInvitation: Decodable {
    struct InvitedUser: Decodable { var id: String }
    var id: String?
    var inviteRedeemUrl: String?
    var invitedUser: InvitedUser?
}

struct GraphInvitationBody: Encodable {
    var invitedUserEmailAddress: String
    var invitedUserDisplayName: String
    var inviteRedirectUrl: String
    var sendInvitationMessage: Bool
}

struct GraphInstallAppBody: Encodable {
    var teamsAppBind: String

    enum CodingKeys: String, CodingKey { case teamsAppBind = "teamsApp@odata.bind" }
}

struct BotActivity: Encodable {
    struct Attachment: Encodable {
        var contentType = "application/vnd.microsoft.card.hero"
        var content: HeroCard
    }

    struct HeroCard: Encodable {
        struct Button: Encodable {
            var type = "openUrl"
            var title: String
            var value: String
        }

        var title: String
        var text: String
        var buttons: [Button]
    }

    var type = "message"
    var text: String
    var attachments: [Attachment]
}

struct BotResourceResponse: Decodable {
    var id: String?
}

/// Graph `{"error":{"code","message"}}` and identity platform `{"error","error_description"}`.
struct GraphErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String?
        var message: String?
    }

    var detail: Detail?
    var identityError: String?
    var identityDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let detail = try? container.decode(Detail.self, forKey: .error) {
            self.detail = detail
        } else {
            identityError = try? container.decode(String.self, forKey: .error)
            identityDescription = try? container.decode(String.self, forKey: .errorDescription)
        }
    }

    var code: String? { detail?.code ?? identityError }
    var message: String? { detail?.message ?? identityDescription }
}

/// A change-notification subscription as Graph takes and returns it.
struct GraphSubscriptionWire: Codable {
    var id: String?
    var changeType: String?
    var notificationUrl: String?
    var lifecycleNotificationUrl: String?
    var resource: String?
    var expirationDateTime: String
    var clientState: String?
}
