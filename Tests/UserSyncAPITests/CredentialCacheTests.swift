import Foundation
import PostgresNIO
import Testing
import UserSyncTestSupport
import UserSyncTesting

/// A `serve` process admits a key it saw lately from memory, and forgets it the moment the
/// database announces a change, whoever made it (another process, the CLI, plain SQL).
@Suite struct CredentialCacheTests {
    struct Organization: Decodable { let name: String }

    @Test func aKeyIsAdmittedFromMemoryUntilTheDatabaseAnnouncesItsRevocation() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)
            #expect(api.credentials.count == 1)

            // Revoked behind the service's back, with nothing announced: memory still admits it.
            try await api.sql("ALTER TABLE api_keys DISABLE TRIGGER USER")
            try await api.sql("UPDATE api_keys SET revoked_at = now() WHERE id = '\(key.id)'")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)

            // The announcement any revocation makes (sql/0013): refused from then on.
            try await api.sql("NOTIFY usersync_access, 'key:\(key.id)'")
            try await eventually { try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .unauthorized }
            #expect(api.credentials.count == 0)
        }
    }

    @Test func revocationsRenamesAndDeletionsElsewhereTakeEffectInEveryProcess() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let first = try await api.createKey("acme"), second = try await api.createKey("acme")
            for key in [first, second] { #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok) }

            // Another process (plain SQL here) renames the organization: the key's view follows.
            try await api.sql("UPDATE organizations SET name = 'Renamed Inc' WHERE slug = 'acme'")
            try await eventually {
                let reply = try await api.call(.get, "/v1/orgs/acme", token: first.secret)
                return (try? reply.decode(Organization.self))?.name == "Renamed Inc"
            }

            // …and revokes a key: refused, while the other key still works.
            try await api.sql("UPDATE api_keys SET revoked_at = now() WHERE id = '\(first.id)'")
            try await eventually { try await api.call(.get, "/v1/orgs/acme", token: first.secret).status == .unauthorized }
            #expect(try await api.call(.get, "/v1/orgs/acme", token: second.secret).status == .ok)

            // …and deletes the organization.
            try await api.sql("DELETE FROM organizations WHERE slug = 'acme'")
            try await eventually { try await api.call(.get, "/v1/orgs/acme", token: second.secret).status == .unauthorized }
        }
    }

    @Test func recordingALastUseAnnouncesNothing() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)
            try await api.sql("UPDATE api_keys SET last_used_at = now() - interval '1 hour' WHERE id = '\(key.id)'")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)
            #expect(api.credentials.count == 1)
        }
    }

    @Test func aListenerThatLosesItsConnectionForgetsEverythingItMayHaveMissed() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)
            try await api.sql("ALTER TABLE api_keys DISABLE TRIGGER USER")
            try await api.sql("UPDATE api_keys SET revoked_at = now() WHERE id = '\(key.id)'")
            #expect(try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .ok)

            // The listener's connection is cut: a revocation may have gone unheard, so the key is
            // read from the database again (and refused), and the listener comes back.
            try await api.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
            try await eventually { try await api.call(.get, "/v1/orgs/acme", token: key.secret).status == .unauthorized }
            try await eventually { api.credentials.isServing }
        }
    }
}

extension API {
    /// Runs SQL as the database's superuser: what another process, or an operator, might do.
    func sql(_ statement: String) async throws {
        try await db.admin.client.query(PostgresQuery(unsafeSQL: statement), logger: db.logger)
    }
}
