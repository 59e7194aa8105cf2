import Foundation
import Testing

@Suite struct OrganizationAndKeyTests {
    struct Organization: Decodable { let id: String, slug: String, name: String }

    struct Organizations: Decodable { let items: [Organization], nextCursor: String? }

    /// A key as listed: its hint, and whether a `secret` attribute was sent at all.
    struct Key: Decodable {
        enum CodingKeys: String, CodingKey { case hint, secret, revokedAt }
        let hint: String
        let sendsSecret: Bool
        let revokedAt: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            hint = try container.decode(String.self, forKey: .hint)
            sendsSecret = container.contains(.secret)
            revokedAt = try container.decodeIfPresent(String.self, forKey: .revokedAt)
        }
    }

    struct Keys: Decodable { let items: [Key] }

    @Test func theOperatorManagesOrganizations() async throws {
        try await withAPI { api in
            let created = try await api.call(.post, "/v1/orgs", json: #"{"slug":"acme","name":"Acme Corp"}"#)
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/v1/orgs/acme")
            let organization = try created.decode(Organization.self)
            #expect(organization.slug == "acme" && organization.name == "Acme Corp")
            let id = organization.id

            let bySlug = try await api.call(.get, "/v1/orgs/acme")
            let byID = try await api.call(.get, "/v1/orgs/\(id)")
            #expect(try bySlug.status == .ok && byID.status == .ok && byID.decode(Organization.self).slug == "acme")

            let renamed = try await api.call(.patch, "/v1/orgs/acme", json: #"{"name":"Acme Corporation"}"#)
            #expect(try renamed.decode(Organization.self).name == "Acme Corporation")

            let duplicate = try await api.call(.post, "/v1/orgs", json: #"{"slug":"acme","name":"Other"}"#)
            #expect(try duplicate.status == .conflict && duplicate.decode(ProblemReply.self).code == "slug_taken")

            let deleted = try await api.call(.delete, "/v1/orgs/acme")
            #expect(deleted.status == .noContent)
            #expect(try await api.call(.get, "/v1/orgs/acme").status == .notFound)
        }
    }

    @Test func listingPagesThroughEveryOrganizationOnce() async throws {
        try await withAPI { api in
            for n in 0..<7 { try await api.createOrganization("org-\(n)") }
            var slugs: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.call(.get, "/v1/orgs?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                let organizations = try page.decode(Organizations.self)
                slugs += organizations.items.map(\.slug)
                cursor = organizations.nextCursor
            } while cursor != nil
            #expect(slugs == (0..<7).map { "org-\($0)" })
        }
    }

    @Test func keysAreShownOnceAndStopWorkingWhenRevoked() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            #expect(key.secret.hasPrefix("usk_"))

            let listed = try await api.call(.get, "/v1/orgs/acme/keys", token: key.secret)
            #expect(listed.status == .ok)
            let keys = try listed.decode(Keys.self).items
            try #require(keys.count == 1)
            #expect(!listed.text.contains(key.secret) && !keys[0].sendsSecret)
            #expect(key.secret.contains(keys[0].hint))

            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)
            let revoked = try await api.call(.delete, "/v1/orgs/acme/keys/\(key.id)")
            #expect(try revoked.status == .ok && revoked.decode(Key.self).revokedAt != nil)

            let after = try await api.call(.get, "/v1/orgs/acme", token: key.secret)
            #expect(try after.status == .unauthorized && after.decode(ProblemReply.self).code == "unauthenticated")
            #expect(after.headers[.wwwAuthenticate] != nil)

            #expect(try await api.call(.get, "/v1/orgs/acme/keys").decode(Keys.self).items.isEmpty)
            #expect(try await api.call(.get, "/v1/orgs/acme/keys?include_revoked=true").decode(Keys.self).items.count == 1)
        }
    }

    @Test func rolesLimitWhatAKeyMayDo() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let admin = try await api.createKey("acme", role: "admin")
            let viewer = try await api.createKey("acme", role: "viewer")

            // Admin keys manage keys and rename; they cannot create, list or delete organizations.
            let second = try await api.createKey("acme", role: "viewer", token: admin.secret)
            #expect(!second.secret.isEmpty)
            #expect(try await api.call(.patch, "/v1/orgs/acme", token: admin.secret, json: #"{"name":"New"}"#).status == .ok)
            #expect(try await api.call(.get, "/v1/orgs", token: admin.secret).decode(ProblemReply.self).code == "forbidden")
            #expect(
                try await api.call(.post, "/v1/orgs", token: admin.secret, json: #"{"slug":"x-y","name":"X"}"#).decode(ProblemReply.self).code
                    == "forbidden")
            #expect(try await api.call(.delete, "/v1/orgs/acme", token: admin.secret).status == .forbidden)

            // Viewer keys read their organization and change nothing.
            #expect(try await api.call(.get, "/v1/orgs/acme", token: viewer.secret).status == .ok)
            #expect(try await api.call(.patch, "/v1/orgs/acme", token: viewer.secret, json: #"{"name":"No"}"#).status == .forbidden)
            #expect(try await api.call(.get, "/v1/orgs/acme/keys", token: viewer.secret).status == .forbidden)
            #expect(try await api.call(.post, "/v1/orgs/acme/keys", token: viewer.secret, json: #"{"name":"n","role":"admin"}"#).status == .forbidden)
            #expect(try await api.call(.delete, "/v1/orgs/acme/keys/\(admin.id)", token: viewer.secret).status == .forbidden)
            #expect(try await api.call(.get, "/v1/orgs/acme").decode(Organization.self).name == "New")
        }
    }

    @Test func deletingAnOrganizationRemovesItsData() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            #expect(try await api.call(.delete, "/v1/orgs/acme").status == .noContent)
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .unauthorized)
            let rows = try await api.db.admin.client.query("SELECT count(*) FROM api_keys", logger: api.db.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }
}
