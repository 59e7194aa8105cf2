import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Organization API keys. Every method runs on a connection already scoped to `organization`.
public struct APIKeyRepository: Sendable {
    public init() {}

    public func insert(_ key: APIKey, hash: Data, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO api_keys (org_id, id, name, role, key_hash, hint, created_by, created_at)
            VALUES (\(key.organizationID.rawValue), \(key.id.rawValue), \(key.name), \(key.role.rawValue),
                    \(hash), \(key.hint), \(key.createdBy), \(key.createdAt))
            """, logger: logger)
    }

    public func list(_ organization: OrganizationID, includeRevoked: Bool, on connection: PostgresConnection, logger: Logger) async throws -> [APIKey]
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM api_keys
            WHERE org_id = \(organization.rawValue) AND (\(includeRevoked) OR revoked_at IS NULL)
            ORDER BY created_at, id
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// The key with this id, revoked or not.
    public func get(_ organization: OrganizationID, _ id: APIKeyID, on connection: PostgresConnection, logger: Logger) async throws -> APIKey? {
        try await Self.decode(
            connection.query(
                "SELECT \(unescaped: Self.columns) FROM api_keys WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
                logger: logger)
        ).first
    }

    /// Revokes a key and ends the console sessions opened with it; revoking a revoked key returns it unchanged.
    public func revoke(_ organization: OrganizationID, _ id: APIKeyID, at now: Date, on connection: PostgresConnection, logger: Logger) async throws
        -> APIKey
    {
        let rows = try await connection.query(
            """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, \(now))
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let key = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "api_key") }
        try await ConsoleSessionRepository().end(organization, apiKey: id, on: connection, logger: logger)
        return key
    }

    /// The live (unrevoked) key with this hash and its organization, recording the key's use.
    public func admit(_ organization: OrganizationID, hash: Data, at now: Date, on connection: PostgresConnection, logger: Logger) async throws
        -> KeyAdmission?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM api_keys
            WHERE org_id = \(organization.rawValue) AND key_hash = \(hash) AND revoked_at IS NULL
            """, logger: logger)
        guard var key = try await Self.decode(rows).first,
            let owner = try await OrganizationRepository().find(organization.description, on: connection, logger: logger)
        else { return nil }
        if key.lastUseIsStale(at: now) {
            try await recordUse(of: key.id, in: organization, at: now, on: connection, logger: logger)
            key.lastUsedAt = now
        }
        return KeyAdmission(key: key, organization: owner)
    }

    public func recordUse(of id: APIKeyID, in organization: OrganizationID, at now: Date, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query(
            "UPDATE api_keys SET last_used_at = \(now) WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
    }

    static let columns = "org_id, id, name, role, hint, created_by, created_at, last_used_at, revoked_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [APIKey] {
        var keys: [APIKey] = []
        for try await (org, id, name, role, hint, createdBy, createdAt, lastUsedAt, revokedAt)
            in rows.decode((UUID, UUID, String, String, String, String, Date, Date?, Date?).self)
        {
            keys.append(
                APIKey(
                    id: APIKeyID(id), organizationID: OrganizationID(org), name: name,
                    role: APIKeyRole(rawValue: role) ?? .viewer, hint: hint, createdBy: createdBy,
                    createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt))
        }
        return keys
    }
}
