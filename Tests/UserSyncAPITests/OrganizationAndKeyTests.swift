import Foundation
import Testing

@Suite struct OrganizationAndKeyTests {
    @Test func theOperatorManagesOrganizations() async throws {
        try await withAPI { api in
            let created = try await api.call(.post, "/v1/orgs", json: #"{"slug":"acme","name":"Acme Corp"}"#)
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/v1/orgs/acme")
            #expect(created["slug"] as? String == "acme" && created["name"] as? String == "Acme Corp")
            let id = try #require(created["id"] as? String)

            let bySlug = try await api.call(.get, "/v1/orgs/acme")
            let byID = try await api.call(.get, "/v1/orgs/\(id)")
            #expect(bySlug.status == .ok && byID.status == .ok && byID["slug"] as? String == "acme")

            let renamed = try await api.call(.patch, "/v1/orgs/acme", json: #"{"name":"Acme Corporation"}"#)
            #expect(renamed["name"] as? String == "Acme Corporation")

            let duplicate = try await api.call(.post, "/v1/orgs", json: #"{"slug":"acme","name":"Other"}"#)
            #expect(duplicate.status == .conflict && duplicate.code == "slug_taken")

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
                slugs += page.items.compactMap { $0["slug"] as? String }
                cursor = page["next_cursor"] as? String
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
            #expect(listed.items.count == 1)
            #expect(!listed.text.contains(key.secret) && listed.items[0]["secret"] == nil)
            #expect(key.secret.contains(listed.items[0]["hint"] as? String ?? "?"))

            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)
            let revoked = try await api.call(.delete, "/v1/orgs/acme/keys/\(key.id)")
            #expect(revoked.status == .ok && revoked["revoked_at"] as? String != nil)

            let after = try await api.call(.get, "/v1/orgs/acme", token: key.secret)
            #expect(after.status == .unauthorized && after.code == "unauthenticated")
            #expect(after.headers[.wwwAuthenticate] != nil)

            #expect(try await api.call(.get, "/v1/orgs/acme/keys").items.isEmpty)
            #expect(try await api.call(.get, "/v1/orgs/acme/keys?include_revoked=true").items.count == 1)
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
            #expect(try await api.call(.get, "/v1/orgs", token: admin.secret).code == "forbidden")
            #expect(try await api.call(.post, "/v1/orgs", token: admin.secret, json: #"{"slug":"x-y","name":"X"}"#).code == "forbidden")
            #expect(try await api.call(.delete, "/v1/orgs/acme", token: admin.secret).status == .forbidden)

            // Viewer keys read their organization and change nothing.
            #expect(try await api.call(.get, "/v1/orgs/acme", token: viewer.secret).status == .ok)
            #expect(try await api.call(.patch, "/v1/orgs/acme", token: viewer.secret, json: #"{"name":"No"}"#).status == .forbidden)
            #expect(try await api.call(.get, "/v1/orgs/acme/keys", token: viewer.secret).status == .forbidden)
            #expect(try await api.call(.post, "/v1/orgs/acme/keys", token: viewer.secret, json: #"{"name":"n","role":"admin"}"#).status == .forbidden)
            #expect(try await api.call(.delete, "/v1/orgs/acme/keys/\(admin.id)", token: viewer.secret).status == .forbidden)
            #expect(try await api.call(.get, "/v1/orgs/acme").json["name"] as? String == "New")
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
