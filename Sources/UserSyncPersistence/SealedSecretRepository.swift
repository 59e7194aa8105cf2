import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Every secret sealed at rest, by the key that sealed it: connections' credentials and syncs'
/// user tokens. Used to re-seal them with a new key after a rotation. Every method runs on a
/// connection scoped to `organization`.
public struct SealedSecretRepository: Sendable {
    public init() {}

    public enum Kind: String, Sendable, CaseIterable {
        case connectionCredentials = "connection credentials"
        case userTokens = "user tokens"
    }

    /// One sealed secret: whose it is (the row id) and its envelope.
    public struct Secret: Sendable {
        public var kind: Kind
        public var id: UUID
        public var keyID: String
        public var combined: Data
    }

    /// Up to `limit` secrets of `kind` sealed with another key than `current`, in id order from
    /// after `after`.
    public func sealed(
        _ organization: OrganizationID, kind: Kind, notWith current: String, after: UUID?, limit: Int,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [Secret] {
        let org = organization.rawValue
        let rows =
            switch kind {
            case .connectionCredentials:
                try await db.query(
                    """
                    SELECT id, credentials_key_id, credentials FROM platform_connections
                    WHERE org_id = \(org) AND credentials_key_id <> \(current) AND length(credentials) > 0
                      AND (\(after)::uuid IS NULL OR id > \(after))
                    ORDER BY id LIMIT \(limit)
                    """, logger: logger)
            case .userTokens:
                try await db.query(
                    """
                    SELECT id, user_tokens_key_id, user_tokens FROM syncs
                    WHERE org_id = \(org) AND user_tokens IS NOT NULL AND user_tokens_key_id <> \(current)
                      AND (\(after)::uuid IS NULL OR id > \(after))
                    ORDER BY id LIMIT \(limit)
                    """, logger: logger)
            }
        var secrets: [Secret] = []
        for try await (id, keyID, combined) in rows.decode((UUID, String, ByteBuffer).self) {
            secrets.append(Secret(kind: kind, id: id, keyID: keyID, combined: Data(combined.readableBytesView)))
        }
        return secrets
    }

    /// Replaces a secret's envelope, unless it changed meanwhile (it is then left as it is).
    /// Returns whether it was replaced.
    public func replace(
        _ organization: OrganizationID, _ secret: Secret, keyID: String, combined: Data, on db: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let org = organization.rawValue
        let rows =
            switch secret.kind {
            case .connectionCredentials:
                try await db.query(
                    """
                    UPDATE platform_connections SET credentials = \(combined), credentials_key_id = \(keyID)
                    WHERE org_id = \(org) AND id = \(secret.id) AND credentials = \(secret.combined) RETURNING id
                    """, logger: logger)
            case .userTokens:
                try await db.query(
                    """
                    UPDATE syncs SET user_tokens = \(combined), user_tokens_key_id = \(keyID)
                    WHERE org_id = \(org) AND id = \(secret.id) AND user_tokens = \(secret.combined) RETURNING id
                    """, logger: logger)
            }
        return try await rows.collect().count == 1
    }

    /// The ids of the keys that seal the organization's secrets.
    public func keysInUse(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let org = organization.rawValue
        let rows = try await db.query(
            """
            SELECT credentials_key_id FROM platform_connections WHERE org_id = \(org) AND length(credentials) > 0
            UNION SELECT user_tokens_key_id FROM syncs WHERE org_id = \(org) AND user_tokens IS NOT NULL
            """, logger: logger)
        var keys: Set<String> = []
        for try await key in rows.decode(String.self) { keys.insert(key) }
        return keys
    }
}
