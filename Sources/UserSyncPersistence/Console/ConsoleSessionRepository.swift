import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Console sessions, stored under the SHA-256 of their id. Lookups by hash run in the
/// `console_session` scope (a cookie names no organization); everything else in the
/// organization's own scope.
public struct ConsoleSessionRepository: Sendable {
    public init() {}

    /// Whose session it is.
    public enum Principal: Sendable, Equatable {
        case member(ConsoleMemberID)
        case apiKey(APIKeyID)
    }

    /// Stores a session (or replaces a stored one's data): `data` is the caller's own JSON.
    public func insert(
        _ organization: OrganizationID, hash: Data, principal: Principal, data: String, at now: Date, idle: TimeInterval,
        expiresAt: Date, on db: PostgresConnection, logger: Logger
    ) async throws {
        var member: UUID?
        var key: UUID?
        switch principal {
        case .member(let id): member = id.rawValue
        case .apiKey(let id): key = id.rawValue
        }
        // Sessions that ended are cleared as new ones begin, so the table holds live sessions only.
        try await db.query(
            """
            DELETE FROM console_sessions
            WHERE org_id = \(organization.rawValue) AND (idle_expires_at <= \(now) OR expires_at <= \(now))
            """, logger: logger)
        try await db.query(
            """
            INSERT INTO console_sessions (org_id, id_hash, member_id, api_key_id, data, created_at, last_seen_at, idle_expires_at, expires_at)
            VALUES (\(organization.rawValue), \(hash), \(member), \(key), \(data)::jsonb, \(now), \(now),
                    least(\(now.addingTimeInterval(idle)), \(expiresAt)), \(expiresAt))
            ON CONFLICT (org_id, id_hash) DO UPDATE SET data = EXCLUDED.data
            """, logger: logger)
    }

    /// A live session found by hash, with its organization and absolute expiry; its idle expiry
    /// moves on (written at most every `resolution` seconds, so reads do not all become writes).
    /// Runs in the `console_session` scope.
    public func touch(
        hash: Data, at now: Date, idle: TimeInterval, resolution: TimeInterval = 30, on db: PostgresConnection, logger: Logger
    ) async throws -> (organization: OrganizationID, data: String, expiresAt: Date)? {
        let rows = try await db.query(
            """
            WITH live AS (
                SELECT org_id, id_hash, data, last_seen_at, expires_at FROM console_sessions
                WHERE id_hash = \(hash) AND idle_expires_at > \(now) AND expires_at > \(now)
            ), touched AS (
                UPDATE console_sessions s SET last_seen_at = \(now), idle_expires_at = least(\(now.addingTimeInterval(idle)), s.expires_at)
                FROM live WHERE s.org_id = live.org_id AND s.id_hash = live.id_hash
                  AND live.last_seen_at <= \(now.addingTimeInterval(-resolution))
            )
            SELECT org_id, data::text, expires_at FROM live
            """, logger: logger)
        for try await (org, data, expires) in rows.decode((UUID, String, Date).self) {
            return (OrganizationID(org), data, expires)
        }
        return nil
    }

    /// Ends a session (sign-out). Runs in the `console_session` scope.
    public func delete(hash: Data, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query("DELETE FROM console_sessions WHERE id_hash = \(hash)", logger: logger)
    }

    /// Ends every session of a member.
    public func end(_ organization: OrganizationID, member: ConsoleMemberID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM console_sessions WHERE org_id = \(organization.rawValue) AND member_id = \(member.rawValue)", logger: logger)
    }

    /// Ends every session opened with an API key.
    public func end(_ organization: OrganizationID, apiKey: APIKeyID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM console_sessions WHERE org_id = \(organization.rawValue) AND api_key_id = \(apiKey.rawValue)", logger: logger)
    }
}
