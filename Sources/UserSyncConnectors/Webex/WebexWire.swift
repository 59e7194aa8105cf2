/// Webex shapes (platform-apis.md §4). Lists are always `{"items": […]}`.
struct WebexItems<Item: Decodable>: Decodable {
    var items: [Item]
}

struct WebexPerson: Decodable {
    var id: String
    var emails: [String]?
    var displayName: String?
    var firstName: String?
    var lastName: String?
    var orgId: String?
    var loginEnabled: Bool?
    var invitePending: Bool?
    var type: String?
}

struct WebexOrganization: Decodable {
    var id: String
    var displayName: String?
}

struct WebexTeam: Decodable {
    var id: String
    var name: String?
}

struct WebexTeamMembership: Decodable {
    var personId: String
    var personEmail: String?
    var personDisplayName: String?
}

struct WebexMessageBody: Encodable {
    var toPersonId: String
    var text: String
    var markdown: String
}

struct WebexMessage: Decodable {
    var id: String?
}

struct WebexErrorBody: Decodable {
    struct Detail: Decodable { var description: String? }
    var message: String?
    var errors: [Detail]?
    var trackingId: String?
}
