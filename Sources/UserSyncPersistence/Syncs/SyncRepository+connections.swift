import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension SyncRepository {
    /// Live syncs onto a connection: the ones disconnecting it fails.
    public func ids(
        _ organization: OrganizationID, connection: ConnectionID, excluding status: SyncStatus, on db: PostgresConnection, logger: Logger
    ) async throws -> [SyncID] {
        let rows = try await db.query(
            """
            SELECT id FROM syncs WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
              AND status <> \(status.rawValue)
            """, logger: logger)
        var ids: [SyncID] = []
        for try await id in rows.decode(UUID.self) { ids.append(SyncID(id)) }
        return ids
    }

    /// Failed syncs that only waited for `connection` to work again: failures an admin fixes, on
    /// the sync's own connection or on the connection its person's prompts go through.
    public func waitingForAdmin(
        _ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> [SyncID] {
        let rows = try await db.query(
            """
            SELECT s.id FROM syncs s JOIN people p ON p.org_id = s.org_id AND p.id = s.person_id
            WHERE s.org_id = \(organization.rawValue) AND s.status = 'failed'
              AND s.cause = ANY(\(SyncCause.fixedWithTheConnection.map(\.rawValue))::text[])
              AND (s.connection_id = \(connection.rawValue) OR p.primary_connection_id = \(connection.rawValue))
            """, logger: logger)
        var ids: [SyncID] = []
        for try await id in rows.decode(UUID.self) { ids.append(SyncID(id)) }
        return ids
    }
}
