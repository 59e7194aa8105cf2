import Foundation
import NIOCore
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncTestSupport

@testable import UserSyncPersistence

/// A people page costs the same wherever it is in the directory: under row-level security its
/// keyset condition must be an index condition (sql/0017), not a filter over every row before
/// the cursor.
@Suite struct PeoplePagePlanTests {
    @Test(arguments: PeopleRepository.SortField.allCases, [false, true])
    func aPageDeepInTheDirectoryReadsOnlyItsOwnRows(sort: PeopleRepository.SortField, descending: Bool) async throws {
        try await withTestDatabase { db in
            let org = OrganizationID.random()
            try await db.adminQuery("INSERT INTO organizations (id, slug, name) VALUES (\(org.rawValue), 'plans', 'Plans')")
            // Some people have no display name, so the name order falls back to addresses.
            try await db.adminQuery(
                """
                INSERT INTO people (org_id, id, email_normalized, display_name)
                SELECT \(org.rawValue), gen_random_uuid(), 'person' || n || '@plans.example',
                       CASE WHEN n % 5 = 0 THEN NULL ELSE 'Person ' || n END
                FROM generate_series(1, 600) AS n
                """)
            try await db.adminQuery("ANALYZE people")
            let repository = PeopleRepository()
            var filter = PeopleRepository.Filter()
            filter.sort = sort
            filter.descending = descending
            filter.limit = 500
            let nodes = try await db.service.withTenant(org, logger: db.logger) { c in
                filter.after = try await repository.list(org, filter, on: c, logger: db.logger).last?.position
                filter.limit = 50
                let page = repository.query(org, filter, select: "p.id", paged: true)
                let rows = try await c.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, FORMAT JSON) " + page.sql, binds: page.binds), logger: db.logger)
                return try await PlanNode.all(in: rows)
            }
            #expect(filter.after != nil)
            let scans = nodes.filter { $0.nodeType.contains("Scan") }
            #expect(!scans.isEmpty)
            // The row at the cursor itself may be read and dropped (the email index holds no id).
            #expect(
                scans.allSatisfy { $0.actualRows <= 51 && ($0.rowsRemovedByFilter ?? 0) <= 1 },
                "\(scans.map { "\($0.nodeType): \($0.actualRows) rows, \($0.rowsRemovedByFilter ?? 0) removed" })")
        }
    }
}
