import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Sync records and their history. Every method runs on a connection scoped to `organization`.
/// Every status change goes through ``record(_:_:actor:on:logger:)``, which writes the new status
/// and its history row together (even when only the cause or message changed: the history says
/// why a person is where they are).
public struct SyncRepository: Sendable {
    public init() {}

    static let columns = """
        s.id, s.org_id, s.person_id, s.connection_id, c.platform, s.mode, s.status, s.cause, s.message, s.next_retry_at,
        s.fix_action, s.linked_account_id, s.virtual_identity, s.virtual_kind, s.user_tokens IS NOT NULL,
        s.user_token_expires_at, s.created_by, s.created_at, s.updated_at
        """

    public func get(
        _ organization: OrganizationID, _ id: SyncID, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> Sync {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
            WHERE s.org_id = \(organization.rawValue) AND s.id = \(id.rawValue)
            \(unescaped: forUpdate ? "FOR UPDATE OF s" : "")
            """, logger: logger)
        guard let sync = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "sync") }
        return sync
    }

    /// Deletes a sync with its history and consent links (a reset). The audit log keeps the fact.
    public func delete(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query("DELETE FROM syncs WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)", logger: logger)
    }

    /// The sync history's actor kinds are those of the audit log, with a key's role as `admin`.
    static func actorKind(_ actor: AuditActor) -> String {
        switch actor {
        case .apiKey: "admin"
        default: actor.kind
        }
    }

    static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Sync] where Rows.Element == PostgresRow {
        var result: [Sync] = []
        // Cell by cell (see `PeopleRepository.accounts`).
        for try await row in rows {
            let r = row.makeRandomAccess()
            result.append(
                Sync(
                    id: SyncID(try r[0].decode(UUID.self)), organizationID: OrganizationID(try r[1].decode(UUID.self)),
                    personID: PersonID(try r[2].decode(UUID.self)), connectionID: ConnectionID(try r[3].decode(UUID.self)),
                    platform: Platform(rawValue: try r[4].decode(String.self)) ?? .slack,
                    mode: try r[5].decode(String?.self).flatMap(SyncMode.init(rawValue:)),
                    status: SyncStatus(rawValue: try r[6].decode(String.self)) ?? .failed,
                    cause: try r[7].decode(String?.self).flatMap(SyncCause.init(rawValue:)),
                    message: try r[8].decode(String?.self), nextRetryAt: try r[9].decode(Date?.self), fixAction: try r[10].decode(String?.self),
                    linkedAccountID: try r[11].decode(UUID?.self).map(AccountID.init), virtualIdentity: try r[12].decode(String?.self),
                    virtualKind: try r[13].decode(String?.self).flatMap(VirtualKind.init(rawValue:)), hasUserTokens: try r[14].decode(Bool.self),
                    userTokenExpiresAt: try r[15].decode(Date?.self), createdBy: try r[16].decode(String.self),
                    createdAt: try r[17].decode(Date.self), updatedAt: try r[18].decode(Date.self)))
        }
        return result
    }
}
