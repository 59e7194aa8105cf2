import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension SyncRepository {
    // MARK: Batches in the worker

    /// The syncs with these ids (those that exist); with `keptBy`, only those that Auto Sync
    /// policy keeps.
    public func get(
        _ organization: OrganizationID, _ ids: [SyncID], keptBy policy: AutoSyncPolicyID? = nil, on db: PostgresConnection, logger: Logger
    ) async throws -> [Sync] {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = \(organization.rawValue) AND s.id = ANY(\(ids.map(\.rawValue))::uuid[])
              AND (\(policy?.rawValue)::uuid IS NULL OR s.auto_sync_policy_id = \(policy?.rawValue))
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// Claims the pending syncs among `ids` for `job` until `until`, counting an attempt on each.
    /// A sync claimed by another job that has not run out is left to it; the same job (run again
    /// after its worker died) claims its own syncs again. Returns each claimed sync's attempts.
    public func claim(
        _ organization: OrganizationID, _ ids: [SyncID], job: Int64, until: Date, on db: PostgresConnection, logger: Logger
    ) async throws -> [SyncID: Int] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            UPDATE syncs SET attempts = attempts + 1, worked_by = \(job), worked_until = \(until)
            WHERE org_id = \(organization.rawValue) AND id = ANY(\(ids.map(\.rawValue))::uuid[]) AND status = 'pending'
              AND (worked_until IS NULL OR worked_until < now() OR worked_by = \(job))
            RETURNING id, attempts
            """, logger: logger)
        var claimed: [SyncID: Int] = [:]
        for try await (id, attempts) in rows.decode((UUID, Int).self) { claimed[SyncID(id)] = attempts }
        return claimed
    }

    /// Lets go of what `job` claimed. A sync that settled (anything but one waiting for a retry)
    /// counts its attempts afresh.
    public func release(_ organization: OrganizationID, _ ids: [SyncID], job: Int64, on db: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await db.query(
            """
            UPDATE syncs SET worked_by = NULL, worked_until = NULL,
                attempts = CASE WHEN status = 'pending' AND next_retry_at IS NOT NULL THEN attempts ELSE 0 END
            WHERE org_id = \(organization.rawValue) AND id = ANY(\(ids.map(\.rawValue))::uuid[]) AND worked_by = \(job)
            """, logger: logger)
    }
}
