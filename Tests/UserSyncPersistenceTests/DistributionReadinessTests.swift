import PostgresNIO
import Testing
import UserSyncTestSupport

/// The schema is ready for a PostgreSQL that distributes tables by `org_id` (Citus): every tenant
/// table's primary key, unique constraints and indexes, and foreign keys include `org_id`, so each
/// organization's rows can live on one node. docs/scaling.md lists what is distributed and what not.
@Suite struct DistributionReadinessTests {
    /// Tables without `org_id`: the tenant registry (a reference table) and the migration ledger.
    static let notDistributed: Set<String> = ["organizations", "usersync_migrations"]

    @Test func everyTenantTablesKeysIncludeTheOrganization() async throws {
        try await withTestDatabase { db in
            let tenant = Set(try await db.tenantTables())
            #expect(tenant.count >= 20)
            let rows = try await db.admin.client.query(
                """
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                ORDER BY 1
                """, logger: db.logger)
            var others: [String] = []
            for try await table in rows.decode(String.self) where !tenant.contains(table) { others.append(table) }
            #expect(Set(others) == Self.notDistributed, "a table without org_id must be documented as not distributed: \(others)")

            // Primary keys, unique constraints and unique indexes.
            let keys = try await db.admin.client.query(
                """
                SELECT c.relname::text, i.indexrelid::regclass::text
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id'
                WHERE n.nspname = 'public' AND i.indisunique AND NOT (a.attnum = ANY(i.indkey::int2[]))
                """, logger: db.logger)
            var problems: [String] = []
            for try await (table, index) in keys.decode((String, String).self) { problems.append("\(table): unique \(index) lacks org_id") }

            // Foreign keys: between tenant tables on org_id too; to the registry on org_id itself.
            let foreign = try await db.admin.client.query(
                """
                SELECT c.relname::text, k.conname::text, r.relname::text,
                       (SELECT attnum FROM pg_attribute WHERE attrelid = c.oid AND attname = 'org_id') = ANY(k.conkey) AS local,
                       coalesce((SELECT attnum FROM pg_attribute WHERE attrelid = r.oid AND attname = 'org_id') = ANY(k.confkey), false) AS remote
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND k.contype = 'f'
                """, logger: db.logger)
            for try await (table, name, referenced, local, remote) in foreign.decode((String, String, String, Bool, Bool).self) {
                let toRegistry = referenced == "organizations" && local
                if !(toRegistry || (local && remote)) { problems.append("\(table): foreign key \(name) to \(referenced) does not go through org_id") }
            }

            // Every tenant table has a primary key (a distributed table needs one to take updates by key).
            let keyless = try await db.admin.client.query(
                """
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
                """, logger: db.logger)
            for try await table in keyless.decode(String.self) where tenant.contains(table) { problems.append("\(table) has no primary key") }
            #expect(problems.isEmpty, "\(problems.sorted())")
        }
    }
}
