import Foundation
import NIOCore
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncTestSupport

@testable import UserSyncPersistence

/// An import page probes each listed user by its key, whatever the statistics say of the
/// organization: here they have never seen it, beside a big organization they know.
@Suite struct ImportPagePlanTests {
    /// Planned for the organization's value instead (`force_custom_plan`), this page scanned the
    /// organization's accounts by `(org_id, person_id)` and its people by their primary key,
    /// dropping 2,293 and 3,000 rows for each probe.
    @Test func aPageProbesByKeyForAnOrganizationTheStatisticsHaveNotSeen() async throws {
        try await withTestDatabase { db in
            let (other, otherConnection) = try await organization(db, "other")
            try await fill(db, other, otherConnection, people: 20_000, prefix: "o")
            try await db.adminQuery("ANALYZE")
            // Written after the statistics: to the planner, an organization of a row or two.
            let (org, connection) = try await organization(db, "new")
            try await fill(db, org, connection, people: 3_000, prefix: "n")
            let run = UUID()
            try await db.adminQuery(
                """
                INSERT INTO import_runs (org_id, id, connection_id, state, requested_by, started_at)
                VALUES (\(org), \(run), \(connection), 'running', 'test', now())
                """)

            let users = (2_990..<3_010).map { "n\($0)" }
            let list = users.map { "'\($0)'" }.joined(separator: ",")
            let emails = users.map { "'\($0)@new.example'" }.joined(separator: ",")
            let empty = Array(repeating: "''", count: users.count).joined(separator: ",")
            let yes = Array(repeating: "true", count: users.count).joined(separator: ",")
            let no = Array(repeating: "false", count: users.count).joined(separator: ",")
            let nodes = try await db.service.withTenant(OrganizationID(org), logger: db.logger) { c in
                try await c.run(PostgresQuery(unsafeSQL: "SET LOCAL plan_cache_mode = force_generic_plan"), logger: db.logger)
                try await c.run(PostgresQuery(unsafeSQL: "PREPARE page AS " + AccountImportWriter.PageStatement.sql), logger: db.logger)
                let rows = try await c.query(
                    PostgresQuery(
                        unsafeSQL: """
                            EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE page(ARRAY[\(list)], ARRAY[\(emails)], ARRAY[\(empty)], ARRAY[\(empty)],
                                ARRAY[\(yes)], ARRAY[\(no)], '\(org)', '\(run)', '\(connection)', false, 0)
                            """), logger: db.logger)
                let nodes = try await PlanNode.all(in: rows)
                // The writer runs it so: on the generic plan only.
                let target = AccountImportWriter.Target(organization: .init(org), connection: .init(connection), run: .init(run))
                let page = try await AccountImportWriter().upsert(
                    (3_010..<3_020).map {
                        .init(
                            platformUserID: "n\($0)", emails: ["n\($0)@new.example"], displayName: nil, realName: nil, isActive: true, isGuest: false)
                    },
                    skippedBots: 0, onlyStagedMembers: false, target: target, on: c, logger: db.logger)
                #expect(page.added == 10)
                let plans = try await c.query(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = \(AccountImportWriter.PageStatement.name)",
                    logger: db.logger)
                var counts: [[Int64]] = []
                for try await (generic, custom) in plans.decode((Int64, Int64).self) { counts.append([generic, custom]) }
                #expect(counts == [[1, 0]], "generic and custom plans of the page statement")
                return nodes
            }
            let probes = nodes.filter { ["platform_accounts", "people"].contains($0.relationName ?? "") && $0.nodeType.contains("Scan") }
            #expect(!probes.isEmpty)
            // Each probe finds its row by the whole key: nothing of the organization is read and dropped.
            #expect(
                probes.allSatisfy { ($0.rowsRemovedByFilter ?? 0) == 0 && $0.nodeType.hasPrefix("Index") },
                "\(probes.map { "\($0.nodeType) on \($0.relationName ?? "?") by \($0.indexName ?? "-"): \($0.rowsRemovedByFilter ?? 0) removed" })"
            )
            // The ten users already there were found, the twenty new ones written with their people.
            #expect(try await db.scalar("SELECT count(*) FROM platform_accounts WHERE org_id = '\(org)'") == 3_020)
            #expect(try await db.scalar("SELECT count(*) FROM people WHERE org_id = '\(org)'") == 3_020)
        }
    }

    private func organization(_ db: TestDatabase, _ slug: String) async throws -> (UUID, UUID) {
        let org = UUID(), connection = UUID()
        try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org), \(slug), \(slug))")
        try await db.adminQuery(
            """
            INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
            VALUES (\(org), \(connection), 'slack', 'Slack', \(slug), '\\x00'::bytea, 'k1', 'http://localhost')
            """)
        return (org, connection)
    }

    /// People `prefix0`… with one account each, user ids `prefix0`…
    private func fill(_ db: TestDatabase, _ org: UUID, _ connection: UUID, people: Int, prefix: String) async throws {
        try await db.adminQuery(
            """
            INSERT INTO people (org_id, id, email_normalized, display_name)
            SELECT \(org), gen_random_uuid(), \(prefix) || n || '@' || \(prefix == "n" ? "new" : "other") || '.example', 'Person ' || n
            FROM generate_series(0, \(people - 1)) n
            """)
        try await db.adminQuery(
            """
            INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, emails, person_id)
            SELECT p.org_id, gen_random_uuid(), \(connection), split_part(p.email_normalized, '@', 1), p.email_normalized,
                   ARRAY[p.email_normalized], p.id
            FROM people p WHERE p.org_id = \(org)
            """)
    }
}
