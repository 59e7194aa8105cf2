import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Console invitations. Every method runs on a connection scoped to `organization`.
public struct ConsoleInvitationRepository: Sendable {
    public init() {}

    static let columns = "org_id, id, role, email, created_by, created_at, expires_at, accepted_at, accepted_member_id, revoked_at"

    public func insert(_ invitation: ConsoleInvitation, hash: Data, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            INSERT INTO console_invitations (org_id, id, token_hash, role, email, created_by, created_at, expires_at)
            VALUES (\(invitation.organizationID.rawValue), \(invitation.id.rawValue), \(hash), \(invitation.role.rawValue),
                    \(invitation.email), \(invitation.createdBy), \(invitation.createdAt), \(invitation.expiresAt))
            """, logger: logger)
    }

    /// Invitations not yet accepted, revoked or expired, newest first.
    public func listOpen(_ organization: OrganizationID, at now: Date, on db: PostgresConnection, logger: Logger) async throws -> [ConsoleInvitation]
    {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM console_invitations
                WHERE org_id = \(organization.rawValue) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(now)
                ORDER BY created_at DESC, id
                """, logger: logger))
    }

    /// The invitation a link's token stands for, locked for the sign-in that uses it.
    public func find(_ organization: OrganizationID, hash: Data, on db: PostgresConnection, logger: Logger) async throws -> ConsoleInvitation? {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM console_invitations
                WHERE org_id = \(organization.rawValue) AND token_hash = \(hash) FOR UPDATE
                """, logger: logger)
        ).first
    }

    public func accept(
        _ organization: OrganizationID, _ id: ConsoleInvitationID, member: ConsoleMemberID, at now: Date, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE console_invitations SET accepted_at = \(now), accepted_member_id = \(member.rawValue)
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND accepted_at IS NULL
            """, logger: logger)
    }

    public func revoke(_ organization: OrganizationID, _ id: ConsoleInvitationID, at now: Date, on db: PostgresConnection, logger: Logger)
        async throws
    {
        let rows = try await db.query(
            """
            UPDATE console_invitations SET revoked_at = coalesce(revoked_at, \(now))
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) RETURNING id
            """, logger: logger)
        for try await _ in rows { return }
        throw DomainError.notFound(resource: "invitation")
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [ConsoleInvitation] {
        var invitations: [ConsoleInvitation] = []
        typealias Row = (UUID, UUID, String, String?, String, Date, Date, Date?, UUID?, Date?)
        for try await r in rows.decode(Row.self) {
            invitations.append(
                ConsoleInvitation(
                    id: ConsoleInvitationID(r.1), organizationID: OrganizationID(r.0), role: APIKeyRole(rawValue: r.2) ?? .viewer, email: r.3,
                    createdBy: r.4, createdAt: r.5, expiresAt: r.6, acceptedAt: r.7, acceptedMemberID: r.8.map(ConsoleMemberID.init),
                    revokedAt: r.9))
        }
        return invitations
    }
}
