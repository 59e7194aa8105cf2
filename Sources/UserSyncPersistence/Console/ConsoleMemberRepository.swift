import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Console members. Every method runs on a connection scoped to `organization`.
public struct ConsoleMemberRepository: Sendable {
    public init() {}

    static let columns = """
        org_id, id, role, provider, tenant, subject, email, display_name, source, created_by, created_at, last_signed_in_at, revoked_at
        """

    public func list(_ organization: OrganizationID, includeRevoked: Bool, on db: PostgresConnection, logger: Logger) async throws -> [ConsoleMember]
    {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM console_members
                WHERE org_id = \(organization.rawValue) AND (\(includeRevoked) OR revoked_at IS NULL)
                ORDER BY revoked_at IS NOT NULL, lower(coalesce(display_name, email, subject)), id
                """, logger: logger))
    }

    public func get(_ organization: OrganizationID, _ id: ConsoleMemberID, on db: PostgresConnection, logger: Logger) async throws -> ConsoleMember {
        let rows = try await db.query(
            "SELECT \(unescaped: Self.columns) FROM console_members WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
        guard let member = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "member") }
        return member
    }

    /// The member with this platform identity, revoked or not.
    public func find(_ organization: OrganizationID, _ identity: SignInIdentity, on db: PostgresConnection, logger: Logger) async throws
        -> ConsoleMember?
    {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM console_members
                WHERE org_id = \(organization.rawValue) AND provider = \(identity.provider.rawValue)
                  AND tenant = \(identity.tenant) AND subject = \(identity.subject)
                """, logger: logger)
        ).first
    }

    /// Records a sign-in: creates the member, or brings an existing one up to date (name, address,
    /// and, when `role` is given, role and reinstatement). Returns the member as stored.
    public func admit(
        _ organization: OrganizationID, identity: SignInIdentity, role: APIKeyRole?, source: ConsoleMember.Source, by actor: String,
        at now: Date, on db: PostgresConnection, logger: Logger
    ) async throws -> ConsoleMember {
        let rows = try await db.query(
            """
            INSERT INTO console_members (org_id, id, role, provider, tenant, subject, email, display_name, source, created_by, created_at,
                                         last_signed_in_at)
            VALUES (\(organization.rawValue), \(UUID()), \(role?.rawValue ?? APIKeyRole.admin.rawValue), \(identity.provider.rawValue),
                    \(identity.tenant), \(identity.subject), \(identity.email), \(identity.displayName), \(source.rawValue), \(actor), \(now), \(now))
            ON CONFLICT (org_id, provider, tenant, subject) DO UPDATE SET
                email = coalesce(EXCLUDED.email, console_members.email),
                display_name = coalesce(EXCLUDED.display_name, console_members.display_name),
                last_signed_in_at = EXCLUDED.last_signed_in_at,
                role = CASE WHEN \(role != nil) THEN EXCLUDED.role ELSE console_members.role END,
                revoked_at = CASE WHEN \(role != nil) THEN NULL ELSE console_members.revoked_at END
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        return try await Self.decode(rows)[0]
    }

    public func setRole(
        _ organization: OrganizationID, _ id: ConsoleMemberID, role: APIKeyRole, on db: PostgresConnection, logger: Logger
    ) async throws -> ConsoleMember {
        let rows = try await db.query(
            """
            UPDATE console_members SET role = \(role.rawValue)
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND revoked_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let member = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "member") }
        return member
    }

    /// Revokes a member (idempotent) and ends their sessions.
    public func revoke(_ organization: OrganizationID, _ id: ConsoleMemberID, at now: Date, on db: PostgresConnection, logger: Logger) async throws
        -> ConsoleMember
    {
        let rows = try await db.query(
            """
            UPDATE console_members SET revoked_at = coalesce(revoked_at, \(now))
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let member = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "member") }
        try await ConsoleSessionRepository().end(organization, member: id, on: db, logger: logger)
        return member
    }

    /// How many members can still change things: the last one may not be demoted or revoked.
    public func liveAdmins(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await db.query(
            "SELECT count(*) FROM console_members WHERE org_id = \(organization.rawValue) AND role = 'admin' AND revoked_at IS NULL",
            logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [ConsoleMember] {
        var members: [ConsoleMember] = []
        typealias Row = (UUID, UUID, String, String, String, String, String?, String?, String, String, Date, Date?, Date?)
        for try await r in rows.decode(Row.self) {
            members.append(
                ConsoleMember(
                    id: ConsoleMemberID(r.1), organizationID: OrganizationID(r.0), role: APIKeyRole(rawValue: r.2) ?? .viewer,
                    identity: SignInIdentity(
                        provider: IdentityProvider(rawValue: r.3) ?? .slack, tenant: r.4, subject: r.5, email: r.6, displayName: r.7),
                    source: ConsoleMember.Source(rawValue: r.8) ?? .invitation, createdBy: r.9, createdAt: r.10, lastSignedInAt: r.11,
                    revokedAt: r.12))
        }
        return members
    }
}
