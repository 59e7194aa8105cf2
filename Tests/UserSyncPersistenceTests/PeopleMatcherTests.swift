import Foundation
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncPersistence
import UserSyncTestSupport

/// The set-based matching in SQL follows the domain's rules exactly.
@Suite struct PeopleMatcherTests {
    @Test("resolving primaries in SQL agrees with PrimaryResolution for random people")
    func sqlAgreesWithTheDomainRule() async throws {
        try await withTestDatabase { db in
            let org = OrganizationID.random()
            try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org.rawValue), 'match', 'Match')")
            let connections = (0..<3).map { _ in ConnectionID.random() }
            for (index, connection) in connections.enumerated() {
                // The third connection is disconnected: its accounts never count.
                try await db.adminQuery(
                    """
                    INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id,
                        api_base_url, health, disconnected_at, created_at)
                    VALUES (\(org.rawValue), \(connection.rawValue), 'slack', 'c', \("W\(index)"), '\\x00'::bytea, 'k', 'http://x',
                            \(index == 2 ? "disconnected" : "connected"), \(index == 2 ? Date() : nil), now() + make_interval(secs => \(Double(index))))
                    """)
            }
            var generator = SystemRandomNumberGenerator()
            var cases: [PersonID: (current: ConnectionID?, source: PrimaryResolution.Source?, active: Set<ConnectionID>)] = [:]
            for index in 0..<300 {
                let person = PersonID.random()
                let source: PrimaryResolution.Source? = [nil, .default, .admin, .autoSync].randomElement(using: &generator)!
                let current = source == nil ? nil : connections.randomElement(using: &generator)
                try await db.adminQuery(
                    """
                    INSERT INTO people (org_id, id, email_normalized, primary_connection_id, primary_source)
                    VALUES (\(org.rawValue), \(person.rawValue), \("p\(index)@x.test"), \(current?.rawValue), \(source?.rawValue))
                    """)
                var active = Set<ConnectionID>()
                for connection in connections where Bool.random(using: &generator) || connection == connections[0] {
                    let isActive = Bool.random(using: &generator)
                    try await db.adminQuery(
                        """
                        INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, person_id, active, deactivated_at)
                        VALUES (\(org.rawValue), \(UUID()), \(connection.rawValue), \("U\(index)"), \("p\(index)@x.test"), \(person.rawValue),
                                \(isActive), \(isActive ? nil : Date()))
                        """)
                    if isActive && connection != connections[2] { active.insert(connection) }
                }
                cases[person] = (current, source, active)
            }
            try await db.service.withTenant(org, logger: db.logger) { c in
                _ = try await PeopleMatcher().resolvePrimaries(org, on: c, logger: db.logger)
            }
            let rows = try await db.admin.client.query(
                "SELECT id, primary_connection_id, primary_source, needs_primary_choice, all_accounts_deactivated FROM people", logger: db.logger)
            var checked = 0
            for try await (id, primary, source, needsChoice, deactivated) in rows.decode((UUID, UUID?, String?, Bool, Bool).self) {
                let input = try #require(cases[PersonID(id)])
                let want = PrimaryResolution.resolve(current: input.current, currentSource: input.source, activeConnections: input.active)
                #expect(primary.map(ConnectionID.init) == want.primary, "\(input)")
                #expect(source.flatMap(PrimaryResolution.Source.init(rawValue:)) == want.source, "\(input)")
                #expect(needsChoice == want.needsChoice, "\(input)")
                #expect(deactivated == input.active.isEmpty, "\(input)")
                checked += 1
            }
            #expect(checked == 300)
        }
    }

    @Test("emails normalize the same in Swift and in the database")
    func normalizationAgrees() async throws {
        try await withTestDatabase { db in
            for raw in ["Ada@Example.COM", "  ada@example.com ", "ADA+tag@Example.com", "", "   "] {
                let rows = try await db.admin.client.query("SELECT nullif(lower(btrim(\(raw))), '')", logger: db.logger)
                for try await value in rows.decode(String?.self) { #expect(value == EmailAddress.normalize(raw), "\(raw)") }
            }
        }
    }
}
