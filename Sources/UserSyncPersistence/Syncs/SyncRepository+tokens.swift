import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension SyncRepository {
    public struct SealedTokens: Sendable {
        public var keyID: String
        public var combined: Data
        public var expiresAt: Date?

        public init(keyID: String, combined: Data, expiresAt: Date?) {
            self.keyID = keyID
            self.combined = combined
            self.expiresAt = expiresAt
        }
    }
    /// The sealed user tokens of a sync, if any.
    public func tokens(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws -> SealedTokens? {
        let rows = try await db.query(
            """
            SELECT user_tokens_key_id, user_tokens, user_token_expires_at FROM syncs
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND user_tokens IS NOT NULL
            """, logger: logger)
        for try await (keyID, combined, expires) in rows.decode((String, Data, Date?).self) {
            return SealedTokens(keyID: keyID, combined: combined, expiresAt: expires)
        }
        return nil
    }

    /// Replaces refreshed tokens without a status change (nothing the admin needs to see).
    public func replaceTokens(
        _ organization: OrganizationID, _ id: SyncID, _ tokens: SealedTokens, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE syncs SET user_tokens = \(tokens.combined), user_tokens_key_id = \(tokens.keyID),
                user_token_expires_at = \(tokens.expiresAt), user_tokens_checked_at = now()
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            """, logger: logger)
    }

    public func markTokensChecked(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "UPDATE syncs SET user_tokens_checked_at = now() WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
    }
}
