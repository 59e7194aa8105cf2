import Logging
import PostgresNIO
import UserSyncDomain

extension ScimGroupRepository {
    /// The groups a filter of `eq` and `and` matches (none: all), in the order they were
    /// created, one page of them. `displayName` compares without case; `id`, `externalId` and a
    /// member's id exactly.
    public func list(
        _ organization: OrganizationID, filter: [ScimEquality<ScimGroupFilterAttribute>], paging: ScimPaging, on db: PostgresConnection,
        logger: Logger
    ) async throws -> ScimPage<ScimGroupRecord> {
        let criteria = ScimCriteria(filter)
        guard !criteria.matchesNothing else { return ScimPage(totalResults: 0, items: []) }
        if paging.count == 0 {
            return ScimPage(totalResults: try await page(organization, criteria, offset: 0, limit: 1, on: db, logger: logger).totalResults, items: [])
        }
        let found = try await page(organization, criteria, offset: paging.offset, limit: paging.count, on: db, logger: logger)
        guard found.items.isEmpty, paging.offset > 0 else { return found }
        return ScimPage(totalResults: try await page(organization, criteria, offset: 0, limit: 1, on: db, logger: logger).totalResults, items: [])
    }

    private func page(
        _ organization: OrganizationID, _ criteria: ScimCriteria<ScimGroupFilterAttribute>, offset: Int, limit: Int, on db: PostgresConnection,
        logger: Logger
    ) async throws -> ScimPage<ScimGroupRecord> {
        let id = criteria.string(.id), displayName = criteria.string(.displayName), externalID = criteria.string(.externalId)
        let member = criteria.string(.member)
        let rows = try await db.query(
            """
            SELECT \(unescaped: ScimGroupRecord.columns), count(*) OVER () FROM directory_groups g
            WHERE org_id = \(organization.rawValue) AND source = 'scim'
              AND (\(id)::text IS NULL OR group_id = \(id))
              AND (\(displayName)::text IS NULL OR lower(display_name) = lower(\(displayName)))
              AND (\(externalID)::text IS NULL OR idp_external_id = \(externalID))
              AND (\(member)::text IS NULL OR EXISTS (
                  SELECT 1 FROM directory_group_members m
                  WHERE m.org_id = g.org_id AND m.source = 'scim' AND m.group_id = g.group_id AND m.external_user_id = \(member)))
            ORDER BY created_at, group_id
            OFFSET \(offset) LIMIT \(limit)
            """, logger: logger)
        var page = ScimPage<ScimGroupRecord>(totalResults: 0, items: [])
        for try await row in rows {
            let cells = row.makeRandomAccess()
            page.items.append(try ScimGroupRecord(cells))
            page.totalResults = Int(try cells[ScimGroupRecord.columnCount].decode(Int64.self))
        }
        return page
    }
}
