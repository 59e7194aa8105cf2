import Foundation
import HTTPTypes
import Testing

/// Only a live SCIM token of the organization in the URL gets in, and a SCIM token gets nowhere
/// else: every other credential is the same 401, which says nothing about what exists.
@Suite struct ScimSecurityTests {
    struct Token: Decodable { let id: String, lastUsedAt: String? }
    struct TokenPage: Decodable { let items: [Token] }

    @Test func onlyTheOrganizationsOwnLiveTokenIsAdmitted() async throws {
        try await withAPI { api in
            let acme = try await api.createOrganization("acme")
            try await api.createOrganization("globex")
            let token = try await api.scimToken("acme")
            let other = try await api.scimToken("globex").secret
            let key = try await api.createKey("acme").secret
            let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@acme.test"}"#

            // The own token works by slug and by id.
            #expect(try await api.scim(.get, "/Users", token: token.secret).status == .ok)
            #expect(try await api.scim(.get, "/Users", org: acme.id, token: token.secret).status == .ok)

            var refused: [(String, ScimReply)] = []
            for (label, credential) in [
                ("no token", nil), ("another organization's SCIM token", other), ("an API key", key), ("the operator token", operatorToken),
                ("garbage", "not-a-token"), ("a forged SCIM token", "uss_" + String(repeating: "A", count: 60)),
            ] as [(String, String?)] {
                refused.append((label, try await api.scim(.post, "/Users", token: credential, body: user)))
                refused.append((label, try await api.scim(.get, "/Users", token: credential)))
            }
            // A valid token on an organization that does not exist, or on another that does.
            refused.append(("unknown organization", try await api.scim(.get, "/Users", org: "nowhere", token: token.secret)))
            refused.append(("another organization", try await api.scim(.post, "/Users", org: "globex", token: token.secret, body: user)))
            refused.append(("unknown id", try await api.scim(.get, "/Users", org: UUID().uuidString.lowercased(), token: token.secret)))
            refused.append(("unknown route without token", try await api.scim(.get, "/Nothing", token: nil)))
            for (label, reply) in refused {
                #expect(reply.isError(.unauthorized), "\(label): \(reply.status) \(reply.text)")
                #expect(reply.headers[.wwwAuthenticate] == "Bearer", "\(label)")
            }
            // One answer for all, so a caller cannot tell which organizations exist.
            #expect(Set(refused.map(\.1.text)).count == 1)
            #expect(try await api.storedScimRows() == 0, "nothing was written")

            // A SCIM token reaches nothing under /v1, not even its own organization.
            for path in ["/v1/orgs/acme", "/v1/orgs/acme/people", "/v1/orgs/acme/scim/tokens", "/v1/orgs"] {
                #expect(try await api.call(.get, path, token: token.secret).status == .unauthorized, "\(path)")
            }

            // The admin sees when the token was last used.
            let listed = try await api.call(.get, "/v1/orgs/acme/scim/tokens")
            let tokens = try listed.decode(TokenPage.self).items
            #expect(tokens.first { $0.id == token.id }?.lastUsedAt != nil, "\(listed.text)")

            // Revoked: refused at once, whatever it asks.
            let ada = try await api.scimUser("ada@acme.test", token: token.secret)
            let group = try await api.scimGroup("Engineering", members: [ada], token: token.secret)
            let stored = try await api.storedScimRows()
            #expect(try await api.call(.delete, "/v1/orgs/acme/scim/tokens/\(token.id)").status == .ok)
            let removal = try API.patch([["op": "Remove", "path": "members", "value": [["value": .string(ada)]]]])
            for reply in [
                try await api.scim(.get, "/Users", token: token.secret),
                try await api.scim(.get, "/Users/\(ada)", token: token.secret),
                try await api.scim(.post, "/Users", token: token.secret, body: #"{"userName":"eve@acme.test"}"#),
                try await api.scim(.patch, "/Groups/\(group)", token: token.secret, body: removal),
                try await api.scim(.delete, "/Users/\(ada)", token: token.secret),
                try await api.scim(.get, "/ServiceProviderConfig", token: token.secret),
                try await api.scim(.get, "/Nothing", token: token.secret),
                try await api.scim(.post, "/Users/\(ada)", token: token.secret, body: "{}"),
            ] {
                #expect(reply.isError(.unauthorized), "\(reply.status) \(reply.text)")
            }
            #expect(try await api.storedScimRows() == stored)
        }
    }

    @Test func anotherOrganizationsTokenChangesNothingOfThisOne() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            try await api.createOrganization("globex")
            let token = try await api.scimToken("acme").secret
            let intruder = try await api.scimToken("globex").secret
            let ada = try await api.scimUser("ada@acme.test", token: token)
            let group = try await api.scimGroup("Engineering", members: [ada], token: token)

            let patch = try API.patch([["op": "Replace", "path": "active", "value": "False"]])
            let removal = try API.patch([["op": "Remove", "path": "members", "value": [["value": .string(ada)]]]])
            for reply in [
                try await api.scim(.patch, "/Users/\(ada)", token: intruder, body: patch),
                try await api.scim(.delete, "/Users/\(ada)", token: intruder),
                try await api.scim(.patch, "/Groups/\(group)", token: intruder, body: removal),
                try await api.scim(.delete, "/Groups/\(group)", token: intruder),
                try await api.scim(.get, "/Users/\(ada)", token: intruder),
            ] {
                #expect(reply.isError(.unauthorized), "\(reply.text)")
            }
            // Through its own URL, globex's token does not see acme's resources either.
            #expect(try await api.scim(.get, "/Users/\(ada)", org: "globex", token: intruder).isError(.notFound))
            #expect(try await api.scim(.delete, "/Groups/\(group)", org: "globex", token: intruder).isError(.notFound))
            #expect(try await api.scim(.get, "/Users", org: "globex", token: intruder).totalResults == 0)

            #expect(try await api.storedUser(ada)?.active == true)
            #expect(try await api.storedMembers(group) == [ada])
        }
    }
}
