import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// A SCIM response. Bodies are camelCase (`userName`, `totalResults`), so they are read with
/// JSONSerialization, not the API's snake_case decoder.
struct ScimReply: @unchecked Sendable {  // JSON objects from JSONSerialization; only read on the test's task.
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    subscript(key: String) -> Any? { json[key] }
    var id: String { json["id"] as? String ?? "" }
    var resources: [[String: Any]] { json["Resources"] as? [[String: Any]] ?? [] }
    var totalResults: Int? { json["totalResults"] as? Int }
    var schemas: [String] { json["schemas"] as? [String] ?? [] }
    var scimType: String? { json["scimType"] as? String }
    var contentType: String? { headers[.contentType] }

    /// Whether this is a SCIM error message with this status (as a string, RFC 7644 §3.12) and
    /// `scimType`, sent as application/scim+json.
    func isError(_ status: HTTPResponse.Status, _ scimType: String? = nil) -> Bool {
        self.status == status && schemas == ["urn:ietf:params:scim:api:messages:2.0:Error"]
            && json["status"] as? String == String(status.code) && self.scimType == scimType && json["detail"] is String
            && contentType == "application/scim+json"
    }
}

/// The steps an identity provider takes against `/scim/v2/{org}`.
extension API {
    /// Creates a SCIM token (as an admin would, with the operator token) and returns its id and secret.
    func scimToken(_ org: String = "acme", name: String = "Entra ID") async throws -> (id: String, secret: String) {
        let reply = try await call(.post, "/v1/orgs/\(org)/scim/tokens", json: #"{"name":"\#(name)"}"#)
        #expect(reply.status == .created, "\(reply.text)")
        return (reply["id"] as? String ?? "", reply["secret"] as? String ?? "")
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
        var user: [String: Any] = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": userName, "active": active,
        ]
        if let email { user["emails"] = [["value": email, "type": "work", "primary": true]] }
        if let externalId { user["externalId"] = externalId }
        if let displayName { user["displayName"] = displayName }
        let reply = try await scim(.post, "/Users", org: org, token: token, body: try Self.json(user))
        #expect(reply.status == .created, "\(reply.text)")
        return reply.id
    }

    /// Creates a group, empty unless `members` are given; returns its id.
    func scimGroup(_ displayName: String, members: [String] = [], org: String = "acme", token: String) async throws -> String {
        let group: [String: Any] = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": displayName,
            "members": members.map { ["value": $0] },
        ]
        let reply = try await scim(.post, "/Groups", org: org, token: token, body: try Self.json(group))
        #expect(reply.status == .created, "\(reply.text)")
        return reply.id
    }

    /// A PATCH body with these operations.
    static func patch(_ operations: [[String: Any]]) throws -> String {
        try json(["schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations])
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
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
