import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// SCIM bearer tokens. Every method but ``admit(_:hash:at:on:logger:)`` runs on a connection
/// already scoped to `organization`.
public struct ScimTokenRepository: Sendable {
    public init() {}

    public func insert(_ token: ScimToken, hash: Data, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            INSERT INTO scim_tokens (org_id, id, name, token_hash, hint, created_by, created_at)
            VALUES (\(token.organizationID.rawValue), \(token.id.rawValue), \(token.name), \(hash), \(token.hint), \(token.createdBy), \(token.createdAt))
            """, logger: logger)
    }

    public func list(_ organization: OrganizationID, includeRevoked: Bool, on db: PostgresConnection, logger: Logger) async throws -> [ScimToken] {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM scim_tokens
                WHERE org_id = \(organization.rawValue) AND (\(includeRevoked) OR revoked_at IS NULL)
                ORDER BY created_at, id
                """, logger: logger))
    }

    /// Revokes a token; revoking a revoked token returns it unchanged.
    public func revoke(_ organization: OrganizationID, _ id: ScimTokenID, at now: Date, on db: PostgresConnection, logger: Logger) async throws
        -> ScimToken
    {
        let rows = try await db.query(
            """
            UPDATE scim_tokens SET revoked_at = coalesce(revoked_at, \(now))
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let token = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "scim_token") }
        return token
    }

    /// Whether a live token of `organization` has this hash, in one statement that also scopes
    /// the transaction to `organization` (`usersync_admit_scim_token`), so `db` may be in a
    /// transaction not yet scoped. Its last use is written at most once a minute, so that an
    /// identity provider's bursts of requests stay reads.
    public func admit(_ organization: OrganizationID, hash: Data, at now: Date, on db: PostgresConnection, logger: Logger) async throws -> Bool {
        let admission = AdmitStatement(organization: organization.rawValue, hash: hash, now: now, resolution: APIKey.lastUseResolution)
        for try await admitted in try await db.execute(admission, logger: logger) { return admitted }
        return false
    }

    struct AdmitStatement: PostgresPreparedStatement {
        static let name = "usersync_admit_scim_token"
        static let sql = "SELECT usersync_admit_scim_token($1, $2, $3, make_interval(secs => $4))"
        typealias Row = Bool
        let organization: UUID
        let hash: Data
        let now: Date
        let resolution: Double

        func makeBindings() -> PostgresBindings { bindings(organization, ByteBuffer(bytes: hash), now, resolution) }
        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    static let columns = "org_id, id, name, hint, created_by, created_at, last_used_at, revoked_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [ScimToken] {
        var tokens: [ScimToken] = []
        for try await (org, id, name, hint, createdBy, createdAt, lastUsedAt, revokedAt)
            in rows.decode((UUID, UUID, String, String, String, Date, Date?, Date?).self)
        {
            tokens.append(
                ScimToken(
                    id: ScimTokenID(id), organizationID: OrganizationID(org), name: name, hint: hint, createdBy: createdBy,
                    createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt))
        }
        return tokens
    }
}
