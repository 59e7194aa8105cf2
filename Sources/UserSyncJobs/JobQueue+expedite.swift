import Logging
import PostgresNIO
import UserSyncDomain

extension JobQueue {
    /// Brings a queued job forward to now (a job waiting for its next scheduled run, which
    /// something made due sooner); returns false when no job with the key is queued. In the
    /// caller's transaction, scoped to `organization`.
    @discardableResult
    public static func expedite(dedupeKey: String, organization: OrganizationID, on connection: PostgresConnection, logger: Logger) async throws
        -> Bool
    {
        let rows = try await connection.query(
            """
            UPDATE jobs SET run_at = now()
            WHERE org_id = \(organization.rawValue) AND dedupe_key = \(dedupeKey) AND state = 'queued' AND run_at > now()
            RETURNING id
            """, logger: logger)
        guard try await rows.collect().count > 0 else { return false }
        try await connection.run(NotifyStatement(), logger: logger)
        return true
    }
}
