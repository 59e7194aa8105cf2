import Foundation
import NIOCore
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncTestSupport

@testable import UserSyncPersistence

/// After the statistics refreshes of an import and a bulk sync, a people page reads its people's
/// accounts and syncs once each, however many connections the organization has. The refresh left
/// out the connections, whose statistics were then those of an empty table: to the planner every
/// organization had one connection, and it read the accounts once per connection.
@Suite struct PageDetailsPlanTests {
    @Test(arguments: [PeopleRepository.AccountsStatement.sql, SyncRepository.ForPeopleStatement.sql])
    func aPageReadsItsPeoplesRowsOnce(statement: String) async throws {
        try await withTestDatabase { db in
            try await db.adminQuery("ANALYZE platform_connections, platform_accounts, syncs")
            let org = UUID()
            try await seed(db, org, people: 200, platforms: ["slack", "teams", "zoom", "webex"], unsynced: ["slack"])
            // The import's refresh, and the one of the bulk sync that made the syncs.
            try await db.service.client.withConnection {
                try await PlannerStatistics.refreshDirectory(on: $0, logger: db.logger)
                try await PlannerStatistics.refreshSyncs(on: $0, logger: db.logger)
            }
            let people = try await db.adminQueryText(
                "SELECT string_agg(quote_literal(id), ',') FROM (SELECT id FROM people WHERE org_id = '\(org)' ORDER BY id LIMIT 50) p")

            let nodes = try await db.service.withTenant(OrganizationID(org), logger: db.logger) { c in
                // Prepared and run on its generic plan, as the repositories run it.
                try await c.run(PostgresQuery(unsafeSQL: "SET LOCAL plan_cache_mode = force_generic_plan"), logger: db.logger)
                try await c.run(PostgresQuery(unsafeSQL: "PREPARE details AS " + statement), logger: db.logger)
                let rows = try await c.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE details('\(org)', ARRAY[\(people)]::uuid[])"),
                    logger: db.logger)
                return try await PlanNode.all(in: rows)
            }
            let reads = nodes.filter { ["platform_accounts", "syncs"].contains($0.relationName ?? "") }
            #expect(reads.count == 1)
            #expect(
                reads.allSatisfy { $0.actualLoops == 1 && [150, 200].contains($0.actualRows) },
                "\(reads.map { "\($0.nodeType) by \($0.indexName ?? "-"): \($0.actualRows) rows × \($0.actualLoops)" })")
        }
    }

    /// Beside organizations the statistics know, one whose rows came after the last `ANALYZE` is
    /// estimated at a row or two, and an organization of a few hundred syncs (or of accounts from
    /// SCIM, one by one) never reaches autovacuum's threshold in a big table. Its page must still
    /// read only its people's accounts and syncs, by person, not every row of the organization.
    @Test(arguments: [PeopleRepository.AccountsStatement.sql, SyncRepository.ForPeopleStatement.sql])
    func aPageOfAnOrganizationTheStatisticsHaveNotSeenReadsOnlyItsPeoplesRows(statement: String) async throws {
        try await withTestDatabase { db in
            for _ in 0..<3 { try await seed(db, UUID(), people: 2_000, platforms: ["teams", "zoom"]) }
            try await db.adminQuery("ANALYZE platform_connections, people, platform_accounts, syncs")
            let org = UUID()
            try await seed(db, org, people: 300, platforms: ["teams", "zoom"])
            let organization = OrganizationID(org)
            var filter = PeopleRepository.Filter()
            filter.limit = 50
            let (page, reprompted, plans, nodes, mode) = try await db.service.withTenant(organization, logger: db.logger) { c in
                // A page, and the syncs a reprompt reads, as the API and the use cases read them.
                let page = try await PeopleRepository().list(organization, filter, on: c, logger: db.logger).map(\.person)
                let reprompted = try await SyncRepository().forPeople(organization, page.map(\.id), history: false, on: c, logger: db.logger)
                // Which plans their prepared statement ran on, the mode left behind, and what the
                // generic plan reads.
                let plans = try await c.query(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = \(statement)", logger: db.logger
                ).collect().first?.decode((Int, Int).self)
                let mode = try await c.query("SELECT current_setting('plan_cache_mode')", logger: db.logger).collect().first?.decode(String.self)
                try await c.run(PostgresQuery(unsafeSQL: "PREPARE details AS " + statement), logger: db.logger)
                let nodes = try await c.withGenericPlans(logger: db.logger) {
                    let list = page.map { "'\($0.id.rawValue)'" }.joined(separator: ",")
                    return try await PlanNode.all(
                        in: try await c.query(
                            PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE details('\(org)', ARRAY[\(list)]::uuid[])"),
                            logger: db.logger))
                }
                return (page, reprompted.values.map(\.count).reduce(0, +), plans, nodes, mode)
            }
            #expect(page.count == 50 && page.allSatisfy { $0.accounts.count == 2 && $0.syncs.count == 2 })
            #expect(reprompted == 100)
            #expect(plans.map { $0.0 > 0 && $0.1 == 0 } == true, "generic and custom plans: \(String(describing: plans))")
            #expect(mode == "auto")
            let reads = nodes.filter { ["platform_accounts", "syncs"].contains($0.relationName ?? "") }
            #expect(
                reads.count == 1 && reads.allSatisfy { $0.actualRows * $0.actualLoops == 100 && ($0.rowsRemovedByFilter ?? 0) == 0 },
                "\(reads.map { "\($0.nodeType) by \($0.indexName ?? "-"): \($0.actualRows) × \($0.actualLoops), \($0.rowsRemovedByFilter ?? 0) dropped" })"
            )
        }
    }

    /// Between imports, autovacuum keeps them current: it analyzes the table after a change or
    /// two rather than its default 50, which a table of a few rows per organization may never see.
    @Test func autovacuumAnalyzesTheConnectionsAfterAnyChange() async throws {
        try await withTestDatabase { db in
            let options = try await db.adminQueryText(
                "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'platform_connections'::regclass")
            #expect(options.split(separator: ",").contains("autovacuum_analyze_threshold=1"), "\(options)")
        }
    }
}

/// A batch's outcomes are written by their syncs' keys. With the job's syncs estimated at a row
/// (`worked_by` is a new job's), a join read every sync of the table to find them, and the update
/// hashed every sync of the organization: a batch cost what the organization held.
@Suite struct RecordPlanTests {
    @Test func recordingABatchReadsItsSyncsByKey() async throws {
        try await withTestDatabase { db in
            let org = UUID()
            try await seed(db, org, people: 3_000, platforms: ["teams", "zoom"])
            try await db.adminQuery(
                "UPDATE syncs SET worked_by = 7, worked_until = now() + interval '1 hour' WHERE id IN (SELECT id FROM syncs LIMIT 100)")
            try await db.adminQuery("ANALYZE syncs")
            let ids = try await db.adminQueryText("SELECT string_agg(id::text, ',') FROM syncs WHERE worked_by = 7").split(separator: ",")
            let changes = try ids.map {
                SyncRepository.StatusChange(
                    sync: SyncID(try #require(UUID(uuidString: String($0)))),
                    outcome: SyncOutcome(status: .synced, cause: .guestInvited, message: "Invited."))
            }
            let organization = OrganizationID(org)
            let nodes = try await db.service.withTenant(organization, logger: db.logger) { c in
                let query = SyncRepository.recordQuery(organization, changes, actor: .system, claimedBy: 7, orUnclaimed: false)
                let rows = try await c.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, FORMAT JSON) " + query.sql, binds: query.binds), logger: db.logger)
                return try await PlanNode.all(in: rows)
            }
            let reads = nodes.filter { $0.relationName == "syncs" && $0.nodeType != "ModifyTable" }
            #expect(!reads.isEmpty)
            #expect(
                reads.allSatisfy { $0.indexName == "syncs_pkey" && $0.actualRows * $0.actualLoops <= 100 },
                "\(reads.map { "\($0.nodeType) by \($0.indexName ?? "-"): \($0.actualRows) rows × \($0.actualLoops)" })")
            #expect(try await db.adminQueryText("SELECT count(*)::text FROM syncs WHERE worked_by = 7") == "0", "the batch was written")
        }
    }
}

/// An organization of `people` people, each with an account on every one of its connections (one
/// per platform) and a sync to every one but those of `unsynced`.
private func seed(_ db: TestDatabase, _ org: UUID, people: Int, platforms: [String], unsynced: [String] = []) async throws {
    let slug = "o" + org.uuidString.prefix(8).lowercased()
    try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org), \(slug), 'O')")
    try await db.adminQuery(
        """
        INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
        SELECT \(org), gen_random_uuid(), platform, platform, 'w', '\\x00'::bytea, 'k1', 'http://localhost'
        FROM unnest(\(platforms)::text[]) AS platform
        """)
    try await db.adminQuery(
        """
        INSERT INTO people (org_id, id, email_normalized)
        SELECT \(org), gen_random_uuid(), 'person' || n || '@' || \(slug) || '.example' FROM generate_series(1, \(people)) n
        """)
    try await db.adminQuery(
        """
        INSERT INTO platform_accounts (org_id, id, connection_id, platform_user_id, email, emails, person_id)
        SELECT p.org_id, gen_random_uuid(), c.id, c.platform || p.email_normalized, p.email_normalized, ARRAY[p.email_normalized], p.id
        FROM people p CROSS JOIN platform_connections c WHERE p.org_id = \(org) AND c.org_id = \(org)
        """)
    try await db.adminQuery(
        """
        INSERT INTO syncs (org_id, id, person_id, connection_id, mode, status, created_by)
        SELECT p.org_id, gen_random_uuid(), p.id, c.id, 'virtual', 'synced', 'test'
        FROM people p CROSS JOIN platform_connections c
        WHERE p.org_id = \(org) AND c.org_id = \(org) AND c.platform <> ALL(\(unsynced)::text[])
        """)
}
