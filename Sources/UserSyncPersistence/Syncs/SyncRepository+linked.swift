import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Link syncs found by their linked account: what the relay needs to hear and read DMs written
/// to a person's linked account on a platform whose app cannot (Webex).
extension SyncRepository {
    /// The link sync on `connection` whose linked account is the platform user `account`, with its
    /// sealed tokens; nil when there is none with tokens.
    public func linkedTokens(
        _ organization: OrganizationID, connection: ConnectionID, account: String, on db: PostgresConnection, logger: Logger
    ) async throws -> (SyncID, SealedTokens)? {
        let rows = try await db.query(
            """
            SELECT s.id, s.user_tokens_key_id, s.user_tokens, s.user_token_expires_at
            FROM platform_accounts a
            JOIN syncs s ON s.org_id = a.org_id AND s.linked_account_id = a.id AND s.connection_id = a.connection_id
            WHERE a.org_id = \(organization.rawValue) AND a.connection_id = \(connection.rawValue) AND a.platform_user_id = \(account)
              AND s.mode = 'link' AND s.user_tokens IS NOT NULL
            LIMIT 1
            """, logger: logger)
        for try await (id, keyID, combined, expires) in rows.decode((UUID, String, Data, Date?).self) {
            return (SyncID(id), SealedTokens(keyID: keyID, combined: combined, expiresAt: expires))
        }
        return nil
    }

    /// The link syncs on `connection` that hold a person's tokens.
    public func linkedWithTokens(_ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger)
        async throws -> [SyncID]
    {
        let rows = try await db.query(
            """
            SELECT id FROM syncs
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue) AND mode = 'link' AND user_tokens IS NOT NULL
            ORDER BY id
            """, logger: logger)
        var ids: [SyncID] = []
        for try await id in rows.decode(UUID.self) { ids.append(SyncID(id)) }
        return ids
    }
}
