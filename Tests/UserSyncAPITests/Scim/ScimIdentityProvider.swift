import Foundation
import HTTPTypes
import Testing

/// The requests of one identity provider's provisioning, shaped as it sends them: Entra ID
/// (as Microsoft documents its provisioning service: capitalized ops, "False" as a string,
/// member value arrays, `excludedAttributes=members` lookups) or Okta (path-less replace,
/// member filters in paths, full PUTs, form-encoded filters). Each step checks the status the
/// provider expects.
enum ScimIdentityProvider: String, CustomStringConvertible, CaseIterable, Sendable {
    case entra, okta

    var description: String { rawValue }

    /// Looks the user up by userName, then creates it; returns its id.
    func provision(_ api: API, token: String, email: String, given: String, family: String) async throws -> String {
        switch self {
        case .entra:
            let lookup = try await api.scim(.get, "/Users?\(scimFilter(#"userName eq "\#(email)""#))", token: token)
            #expect(lookup.status == .ok && lookup.totalResults == 0, "\(lookup.text)")
            let user: JSONBody = [
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "externalId": .string(given.lowercased()), "userName": .string(email), "active": true, "displayName": "\(given) \(family)",
                "emails": [["primary": true, "type": "work", "value": .string(email)]],
                "meta": ["resourceType": "User"],
                "name": ["formatted": "\(given) \(family)", "familyName": .string(family), "givenName": .string(given)],
                "roles": [], "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": ["department": "Engineering"],
            ]
            let created = try await api.scim(.post, "/Users", token: token, body: try jsonText(user))
            #expect(created.status == .created, "\(created.text)")
            return created.id
        case .okta:
            let encoded = "userName+eq+%22" + email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "%22"
            let lookup = try await api.scim(.get, "/Users?filter=\(encoded)&startIndex=1&count=100", token: token, contentType: nil)
            #expect(lookup.status == .ok && lookup.totalResults == 0, "\(lookup.text)")
            let user: JSONBody = [
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": .string(email),
                "name": ["givenName": .string(given), "familyName": .string(family)],
                "emails": [["primary": true, "value": .string(email), "type": "work"]],
                "displayName": "\(given) \(family)", "locale": "en-US", "externalId": "00u\(given.lowercased())", "groups": [],
                "password": "1mP0ssible!", "active": true,
            ]
            let created = try await api.scim(.post, "/Users", token: token, body: try jsonText(user), contentType: "application/json")
            #expect(created.status == .created, "\(created.text)")
            // Okta's AIW apps then push the profile whole.
            var replaced = user
            replaced["id"] = .string(created.id)
            replaced["name"] = ["givenName": .string(given), "familyName": .string(family.uppercased())]
            replaced["password"] = .none
            let put = try await api.scim(.put, "/Users/\(created.id)", token: token, body: try jsonText(replaced), contentType: "application/json")
            #expect(try put.status == .ok && put.decode(ScimReply.User.self).name?["familyName"] == family.uppercased(), "\(put.text)")
            return created.id
        }
    }

    /// Looks the group up by name, then creates it empty; returns its id.
    func createGroup(_ api: API, token: String, name: String) async throws -> String {
        let group: JSONBody
        switch self {
        case .entra:
            let query = "/Groups?excludedAttributes=members&\(scimFilter(#"displayName eq "\#(name)""#))"
            let lookup = try await api.scim(.get, query, token: token)
            #expect(lookup.status == .ok && lookup.totalResults == 0, "\(lookup.text)")
            group = [
                "schemas": [
                    "urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
                ],
                "externalId": .string(UUID().uuidString), "displayName": .string(name), "meta": ["resourceType": "Group"], "members": [],
            ]
        case .okta:
            group = ["schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": .string(name), "members": []]
        }
        let created = try await api.scim(.post, "/Groups", token: token, body: try jsonText(group))
        #expect(created.status == .created, "\(created.text)")
        return created.id
    }

    func addMembers(_ api: API, token: String, group: String, users: [String]) async throws {
        let operation: JSONBody =
            switch self {
            case .entra: ["op": "Add", "path": "members", "value": .array(users.map { ["$ref": nil, "value": .string($0)] })]
            case .okta: ["op": "add", "path": "members", "value": .array(users.map { ["value": .string($0), "display": "someone"] })]
            }
        let reply = try await api.scim(.patch, "/Groups/\(group)", token: token, body: try API.patch([operation]))
        #expect(reply.status == .noContent, "\(reply.text)")
    }

    func removeMember(_ api: API, token: String, group: String, user: String) async throws {
        let operation: JSONBody =
            switch self {
            case .entra: ["op": "Remove", "path": "members", "value": [["$ref": nil, "value": .string(user)]]]
            case .okta: ["op": "remove", "path": "members[value eq \"\(user)\"]"]
            }
        let reply = try await api.scim(.patch, "/Groups/\(group)", token: token, body: try API.patch([operation]))
        #expect(reply.status == .noContent, "\(reply.text)")
    }

    /// Soft delete: the user stays, inactive.
    func deactivate(_ api: API, token: String, user: String) async throws {
        let operation: JSONBody =
            switch self {
            case .entra: ["op": "Replace", "path": "active", "value": "False"]
            case .okta: ["op": "replace", "value": ["id": .string(user), "active": false]]
            }
        let reply = try await api.scim(.patch, "/Users/\(user)", token: token, body: try API.patch([operation]))
        #expect(try reply.status == .ok && reply.decode(ScimReply.User.self).active == false, "\(reply.text)")
    }

    func reactivate(_ api: API, token: String, user: String) async throws {
        let operation: JSONBody =
            switch self {
            case .entra: ["op": "Replace", "path": "active", "value": "True"]
            case .okta: ["op": "replace", "value": ["active": true]]
            }
        let reply = try await api.scim(.patch, "/Users/\(user)", token: token, body: try API.patch([operation]))
        #expect(try reply.status == .ok && reply.decode(ScimReply.User.self).active == true, "\(reply.text)")
    }
}
