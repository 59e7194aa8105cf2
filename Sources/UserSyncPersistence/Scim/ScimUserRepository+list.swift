import Logging
import PostgresNIO
import UserSyncDomain

extension ScimUserRepository {
    /// The users a filter of `eq` and `and` matches (none: all), in the order they were created,
    /// one page of them. `userName`, `displayName` and the email compare without case; `id`,
    /// `externalId` exactly. The email is the one kept address: a user without one never matches
    /// an email filter, even when its email-shaped userName is what Auto Sync matches it by.
    public func list(
        _ organization: OrganizationID, filter: [ScimEquality<ScimUserFilterAttribute>], paging: ScimPaging, on db: PostgresConnection,
        logger: Logger
    ) async throws -> ScimPage<ScimUserRecord> {
        let criteria = ScimCriteria(filter)
        guard !criteria.matchesNothing else { return ScimPage(totalResults: 0, items: []) }
        if paging.count == 0 {
            return ScimPage(totalResults: try await page(organization, criteria, offset: 0, limit: 1, on: db, logger: logger).totalResults, items: [])
        }
        let found = try await page(organization, criteria, offset: paging.offset, limit: paging.count, on: db, logger: logger)
        guard found.items.isEmpty, paging.offset > 0 else { return found }
        // Past the end: the window count came with no row, so count apart.
        return ScimPage(totalResults: try await page(organization, criteria, offset: 0, limit: 1, on: db, logger: logger).totalResults, items: [])
    }

    private func page(
        _ organization: OrganizationID, _ criteria: ScimCriteria<ScimUserFilterAttribute>, offset: Int, limit: Int, on db: PostgresConnection,
        logger: Logger
    ) async throws -> ScimPage<ScimUserRecord> {
        let userName = criteria.string(.userName), displayName = criteria.string(.displayName), id = criteria.string(.id)
        let externalID = criteria.string(.externalId), active = criteria.boolean(.active)
        let email = criteria.string(.email).map { EmailAddress.normalize($0) ?? "" }
        // Unnamed statements are planned with their values, so each `$n IS NULL OR …` whose
        // value is null folds away and the indexes on userName, externalId and email apply.
        let rows = try await db.query(
            """
            SELECT \(unescaped: ScimUserRecord.columns), count(*) OVER () FROM directory_users
            WHERE org_id = \(organization.rawValue) AND source = 'scim'
              AND (\(id)::text IS NULL OR external_id = \(id))
              AND (\(userName)::text IS NULL OR lower(user_name) = lower(\(userName)))
              AND (\(externalID)::text IS NULL OR idp_external_id = \(externalID))
              AND (\(displayName)::text IS NULL OR lower(display_name) = lower(\(displayName)))
              AND (\(active)::boolean IS NULL OR active = \(active))
              AND (\(email)::text IS NULL OR (email_normalized = \(email) AND emails <> '[]'::jsonb))
            ORDER BY created_at, external_id
            OFFSET \(offset) LIMIT \(limit)
            """, logger: logger)
        var page = ScimPage<ScimUserRecord>(totalResults: 0, items: [])
        for try await row in rows {
            let cells = row.makeRandomAccess()
            page.items.append(try ScimUserRecord(cells))
            page.totalResults = Int(try cells[ScimUserRecord.columnCount].decode(Int64.self))
        }
        return page
    }
}
