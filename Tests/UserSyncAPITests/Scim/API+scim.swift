import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// A SCIM response. Bodies are camelCase (`userName`, `totalResults`), so they are decoded with a
/// plain JSONDecoder, not the API's snake_case one, into the RFC 7643 views below.
struct ScimReply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    /// The body as a typed SCIM resource or message (keys as sent).
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    var id: String { (try? decode(IdentifiedView.self))?.id ?? "" }
    /// The ids of a ListResponse's resources.
    var resourceIDs: [String] { (try? decode(List<IdentifiedView>.self))?.resources.map(\.id) ?? [] }
    var totalResults: Int? { (try? decode(List<IdentifiedView>.self))?.totalResults }
    var schemas: [String] { (try? decode(Schemas.self))?.schemas ?? [] }
    /// The top-level attributes sent, for checks that one is left out.
    var keys: Set<String> { (try? decode(Keys.self))?.keys ?? [] }
    var contentType: String? { headers[.contentType] }

    /// Whether this is a SCIM error message with this status (as a string, RFC 7644 §3.12) and
    /// `scimType`, sent as application/scim+json.
    func isError(_ status: HTTPResponse.Status, _ scimType: String? = nil) -> Bool {
        guard let error = try? decode(ErrorMessage.self) else { return false }
        return self.status == status && error.schemas == ["urn:ietf:params:scim:api:messages:2.0:Error"] && error.status == String(status.code)
            && error.scimType == scimType && contentType == "application/scim+json"
    }
}

/// SCIM's shapes (RFC 7643, RFC 7644 §3.4.2 and §3.12), as a client reads them.
extension ScimReply {
    struct Schemas: Decodable { let schemas: [String] }

    /// The names of an object's attributes (whatever their values).
    struct Keys: Decodable {
        struct Name: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        let keys: Set<String>
        init(from decoder: any Decoder) throws { keys = Set(try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue)) }
    }

    struct Meta: Decodable {
        let resourceType: String?
        let location: String?
        let created: String?
        let lastModified: String?
        let version: String?
    }

    struct Email: Decodable {
        let value: String
        let type: String?
        let primary: Bool?
    }

    struct User: Decodable {
        let id: String
        let schemas: [String]
        let userName: String?
        let externalId: String?
        let displayName: String?
        let active: Bool?
        /// The complex `name`, as sent: only string sub-attributes.
        let name: [String: String]?
        let emails: [Email]?
        let meta: Meta?
    }

    struct Member: Decodable {
        enum CodingKeys: String, CodingKey { case value, display, ref = "$ref" }
        let value: String
        let display: String?
        let ref: String?
    }

    struct Group: Decodable {
        let id: String
        let schemas: [String]
        let displayName: String?
        let externalId: String?
        let members: [Member]?
        let meta: Meta?
    }

    struct List<Resource: Decodable>: Decodable {
        enum CodingKeys: String, CodingKey { case schemas, totalResults, startIndex, itemsPerPage, resources = "Resources" }
        let schemas: [String]
        let totalResults: Int
        let startIndex: Int?
        let itemsPerPage: Int?
        let resources: [Resource]
    }

    struct ErrorMessage: Decodable {
        let schemas: [String]
        let status: String
        let scimType: String?
        let detail: String
    }
}

/// The steps an identity provider takes against `/scim/v2/{org}`.
extension API {
    struct ScimTokenSecret: Decodable { let id: String, secret: String }

    /// Creates a SCIM token (as an admin would, with the operator token) and returns its id and secret.
    func scimToken(_ org: String = "acme", name: String = "Entra ID") async throws -> (id: String, secret: String) {
        let reply = try await call(.post, "/v1/orgs/\(org)/scim/tokens", json: #"{"name":"\#(name)"}"#)
        #expect(reply.status == .created, "\(reply.text)")
        let token = try reply.decode(ScimTokenSecret.self)
        return (token.id, token.secret)
    }

    /// A SCIM request: `path` is relative to the organization's base URL (`/Users?filter=…`).
    /// `contentType` nil sends none.
    func scim(
        _ method: HTTPRequest.Method, _ path: String, org: String = "acme", token: String?, body: String? = nil,
        contentType: String? = "application/scim+json", headers extra: HTTPFields = [:]
    ) async throws -> ScimReply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: "/scim/v2/\(org)\(path)", method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return ScimReply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Creates a user as Entra does (UPN as userName, `mail` as the work email); returns its id.
    func scimUser(
        _ userName: String, email: String? = nil, externalId: String? = nil, displayName: String? = nil, active: Bool = true,
        org: String = "acme", token: String
    ) async throws -> String {
        var user: JSONBody = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": .string(userName), "active": .bool(active),
        ]
        if let email { user["emails"] = [["value": .string(email), "type": "work", "primary": true]] }
        if let externalId { user["externalId"] = .string(externalId) }
        if let displayName { user["displayName"] = .string(displayName) }
        let reply = try await scim(.post, "/Users", org: org, token: token, body: try jsonText(user))
        #expect(reply.status == .created, "\(reply.text)")
        return reply.id
    }

    /// Creates a group, empty unless `members` are given; returns its id.
    func scimGroup(_ displayName: String, members: [String] = [], org: String = "acme", token: String) async throws -> String {
        let group: JSONBody = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": .string(displayName),
            "members": .array(members.map { ["value": .string($0)] }),
        ]
        let reply = try await scim(.post, "/Groups", org: org, token: token, body: try jsonText(group))
        #expect(reply.status == .created, "\(reply.text)")
        return reply.id
    }

    /// A PATCH body with these operations.
    static func patch(_ operations: [JSONBody]) throws -> String {
        try jsonText(["schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": .array(operations)] as JSONBody)
    }

    /// The stored members of a SCIM group, read past the API.
    func storedMembers(_ group: String) async throws -> Set<String> {
        let rows = try await db.admin.client.query(
            "SELECT external_user_id FROM directory_group_members WHERE source = 'scim' AND group_id = \(group)", logger: db.logger)
        var members: Set<String> = []
        for try await member in rows.decode(String.self) { members.insert(member) }
        return members
    }

    /// A SCIM user as stored (nil: no row): its `active` flag and `email_normalized`.
    func storedUser(_ id: String) async throws -> (active: Bool, email: String?)? {
        let rows = try await db.admin.client.query(
            "SELECT active, email_normalized FROM directory_users WHERE source = 'scim' AND external_id = \(id)", logger: db.logger)
        for try await (active, email) in rows.decode((Bool, String?).self) { return (active, email) }
        return nil
    }

    func storedScimRows() async throws -> Int64 {
        try await db.scalar(
            """
            SELECT (SELECT count(*) FROM directory_users WHERE source = 'scim') + (SELECT count(*) FROM directory_groups WHERE source = 'scim')
                 + (SELECT count(*) FROM directory_group_members WHERE source = 'scim')
            """)
    }
}

/// A filter as a query string value, percent-encoded as Entra sends it.
func scimFilter(_ filter: String) -> String {
    "filter=" + filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
}
