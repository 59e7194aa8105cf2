import Foundation
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncPersistence
import UserSyncTestSupport

/// Tenant isolation in the database itself, for every table that carries an `org_id`: what a
/// query that forgets its `WHERE org_id = …` sees, and what the service role cannot switch off.
@Suite struct RowLevelSecurityTests {
    let orgA = OrganizationID.random()
    let orgB = OrganizationID.random()

    func seeded(_ body: @Sendable (TestDatabase) async throws -> Void) async throws {
        try await withTestDatabase { db in
            try await db.seedEveryTenantTable(orgA, slug: "org-a")
            try await db.seedEveryTenantTable(orgB, slug: "org-b")
            try await body(db)
        }
    }

    static func count(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> (all: Int64, b: Int64) {
        // Deliberately no WHERE on the tenant: row-level security is all that stands between A and B.
        let rows = try await connection.query(
            "SELECT count(*), count(*) FILTER (WHERE org_id <> usersync_current_org()) FROM \(unescaped: table)", logger: logger)
        for try await (all, other) in rows.decode((Int64, Int64).self) { return (all, other) }
        return (0, 0)
    }

    static let appendOnly: Set<String> = ["audit_log", "sync_events"]

    @Test func appendOnlyTablesRefuseChanges() async throws {
        try await seeded { db in
            for table in Self.appendOnly {
                for statement in ["DELETE FROM \(table)", "UPDATE \(table) SET org_id = org_id"] {
                    let error = await #expect(throws: PSQLError.self, "\(statement)") {
                        try await db.service.withTenant(orgA, logger: db.logger) { c in
                            try await c.query(PostgresQuery(unsafeSQL: statement), logger: db.logger)
                        }
                    }
                    #expect(error?.serverInfo?[.sqlState] == "42501", "\(statement)")
                }
            }
        }
    }

    @Test func everyTenantTableIsSeeded() async throws {
        try await seeded { db in
            let tables = try await db.tenantTables()
            #expect(tables.count >= 15)
            for table in tables {
                let rows = try await db.admin.client.query(
                    "SELECT count(DISTINCT org_id) FROM \(unescaped: table)", logger: db.logger)
                for try await organizations in rows.decode(Int64.self) {
                    #expect(organizations == 2, "seedEveryTenantTable must fill \(table) for both organizations")
                }
            }
        }
    }

    @Test func aScopedTransactionSeesOnlyItsOwnOrganization() async throws {
        try await seeded { db in
            for table in try await db.tenantTables() {
                let counts = try await db.service.withTenant(orgA, logger: db.logger) { c in
                    try await Self.count(table, on: c, logger: db.logger)
                }
                #expect(counts.all >= 1, "\(table): org A must see its own rows")
                #expect(counts.b == 0, "\(table): org A must not see org B's rows")
            }
        }
    }

    @Test func withoutAScopeNoTenantRowIsVisible() async throws {
        try await seeded { db in
            for table in try await db.tenantTables() {
                let rows = try await db.service.client.query("SELECT count(*) FROM \(unescaped: table)", logger: db.logger)
                for try await count in rows.decode(Int64.self) { #expect(count == 0, "\(table) leaks rows outside a scope") }
            }
        }
    }

    @Test func theScopeEndsWithItsTransaction() async throws {
        try await seeded { db in
            // One pooled connection: the next transaction on it must not inherit org A's scope.
            let leaked = try await db.service.client.withConnection { connection in
                _ = try await connection.query("BEGIN", logger: db.logger)
                _ = try await connection.query("SELECT set_config('usersync.org_id', \(orgA.description), true)", logger: db.logger)
                _ = try await connection.query("COMMIT", logger: db.logger)
                let rows = try await connection.query("SELECT count(*) FROM api_keys", logger: db.logger)
                for try await count in rows.decode(Int64.self) { return count }
                return -1
            }
            #expect(leaked == 0)
        }
    }

    @Test func writingAnotherOrganizationsRowsFails() async throws {
        try await seeded { db in
            await #expect(throws: PSQLError.self) {
                try await db.service.withTenant(orgA, logger: db.logger) { c in
                    try await c.query(
                        """
                        INSERT INTO api_keys (org_id, id, name, role, key_hash, hint, created_by)
                        VALUES (\(orgB.rawValue), \(UUID()), 'x', 'admin', sha256('x'::bytea), 'x', 'x')
                        """, logger: db.logger)
                }
            }
            for table in try await db.tenantTables() {
                // Moving one's own rows to another organization fails the policy's WITH CHECK
                // (42501), not merely some constraint.
                let error = await #expect(throws: PSQLError.self, "\(table) accepted a row for another organization") {
                    try await db.service.withTenant(orgA, logger: db.logger) { c in
                        try await c.query("UPDATE \(unescaped: table) SET org_id = \(orgB.rawValue)", logger: db.logger)
                    }
                }
                #expect(error?.serverInfo?[.sqlState] == "42501", "\(table): \(String(describing: error?.serverInfo?[.message]))")
                // Deleting B's rows from A's scope touches nothing (append-only tables refuse any delete).
                if Self.appendOnly.contains(table) { continue }
                let touched = try await db.service.withTenant(orgA, logger: db.logger) { c in
                    let rows = try await c.query(
                        "DELETE FROM \(unescaped: table) WHERE org_id = \(orgB.rawValue) RETURNING 1", logger: db.logger)
                    var n = 0
                    for try await _ in rows { n += 1 }
                    return n
                }
                #expect(touched == 0, "\(table)")
            }
        }
    }

    @Test func everyTenantTableForcesRowLevelSecurityAndLeadsWithTheOrganization() async throws {
        try await withTestDatabase { db in
            let rows = try await db.admin.client.query(
                """
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
                       (SELECT a.attname::text FROM pg_index i JOIN pg_attribute a
                          ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                        WHERE i.indrelid = c.oid AND i.indisprimary)
                FROM pg_class c
                WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
                  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')
                """, logger: db.logger)
            var seen = 0
            for try await (table, enabled, forced, policies, leading) in rows.decode((String, Bool, Bool, Int64, String?).self) {
                seen += 1
                #expect(enabled && forced, "\(table) must enable and force row-level security")
                #expect(policies >= 1, "\(table) has no policy")
                #expect(leading == "org_id", "\(table)'s primary key must lead with org_id")
            }
            #expect(seen >= 15)

            // Every foreign key between tenant tables carries the organization.
            let keys = try await db.admin.client.query(
                """
                SELECT con.conname, (SELECT attname::text FROM pg_attribute WHERE attrelid = con.conrelid AND attnum = con.conkey[1])
                FROM pg_constraint con
                WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
                  AND con.confrelid <> 'organizations'::regclass
                """, logger: db.logger)
            for try await (name, first) in keys.decode((String, String).self) {
                #expect(first == "org_id", "foreign key \(name) must start with org_id")
            }
        }
    }

    @Test func theServiceRoleCannotSwitchIsolationOff() async throws {
        try await seeded { db in
            let attempts = [
                "ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY",
                "ALTER TABLE api_keys NO FORCE ROW LEVEL SECURITY",
                "DROP POLICY tenant_isolation ON api_keys",
                "CREATE POLICY open ON api_keys USING (true)",
                "ALTER ROLE CURRENT_USER BYPASSRLS",
                "SET ROLE usersync_owner",
                "GRANT usersync_owner TO CURRENT_USER",
            ]
            for statement in attempts {
                await #expect(throws: PSQLError.self, "the service role could run: \(statement)") {
                    try await db.service.withTenant(orgA, logger: db.logger) { c in
                        try await c.query(PostgresQuery(unsafeSQL: statement), logger: db.logger)
                    }
                }
            }
            // Asking to read with row security off is an error, never a bypass.
            await #expect(throws: PSQLError.self) {
                try await db.service.withTenant(orgA, logger: db.logger) { c in
                    try await c.query("SET LOCAL row_security = off", logger: db.logger)
                    try await c.query("SELECT count(*) FROM api_keys", logger: db.logger)
                }
            }
            try await ServiceRole.verify(db.service, logger: db.logger)
        }
    }

    @Test func serveRefusesARoleThatCouldBypassIsolation() async throws {
        try await withTestDatabase { db in
            await #expect(throws: ServiceRole.Violation.self) { try await ServiceRole.verify(db.admin, logger: db.logger) }
            await #expect(throws: ServiceRole.Violation.self) { try await ServiceRole.verify(db.owner, logger: db.logger) }
        }
    }
}
