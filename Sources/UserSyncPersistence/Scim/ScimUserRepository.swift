import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// SCIM Users in `directory_users` (`source = 'scim'`). Every method runs on a connection already
/// scoped to `organization`, so a use case writes the user and asks for Auto Sync runs in one
/// transaction.
///
/// `matchingEmail` is what goes in `email_normalized`, the column Auto Sync matches people by;
/// the use case decides it (``ScimUserInput/email``, else an email-shaped userName).
public struct ScimUserRepository: Sendable {
    public init() {}

    /// Stores a new user. A userName another user has (compared without case) is a 409 `uniqueness`.
    public func insert(
        _ organization: OrganizationID, id: String, _ user: ScimUserInput, matchingEmail: String?, on db: PostgresConnection, logger: Logger
    ) async throws -> ScimUserRecord {
        let email = user.email
        // Decoded inside: the unique violation arrives with the rows, not with the statement's description.
        let records = try await Self.refusingTakenUserName(user.userName) {
            try await ScimUserRecord.decode(
                db.query(
                    """
                    INSERT INTO directory_users (org_id, source, external_id, user_name, idp_external_id, active, display_name, given_name,
                        family_name, formatted_name, emails, email_normalized)
                    VALUES (\(organization.rawValue), 'scim', \(id), \(user.userName), \(user.externalId), \(user.active ?? true), \(user.displayName),
                        \(user.name.givenName), \(user.name.familyName), \(user.name.formatted),
                        CASE WHEN \(email)::text IS NULL THEN '[]'::jsonb
                             ELSE jsonb_build_array(jsonb_build_object('value', \(email)::text, 'type', 'work', 'primary', true)) END,
                        \(matchingEmail))
                    RETURNING \(unescaped: ScimUserRecord.columns)
                    """, logger: logger))
        }
        return records[0]
    }

    /// The user, or nil. `forUpdate` locks its row until the transaction ends, for a change that
    /// reads, edits and writes it back (PATCH, PUT); the lock leaves the key alone, so that adding
    /// the user to groups meanwhile (which key-share locks it) does not wait.
    public func get(
        _ organization: OrganizationID, id: String, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> ScimUserRecord? {
        try await ScimUserRecord.decode(
            db.query(
                """
                SELECT \(unescaped: ScimUserRecord.columns) FROM directory_users
                WHERE org_id = \(organization.rawValue) AND source = 'scim' AND external_id = \(id) \(unescaped: forUpdate ? "FOR NO KEY UPDATE" : "")
                """, logger: logger)
        ).first
    }

    /// Writes every attribute of an existing user (`active` nil keeps it) and raises its version.
    /// Nil when there is no such user.
    public func update(
        _ organization: OrganizationID, id: String, _ user: ScimUserInput, matchingEmail: String?, on db: PostgresConnection, logger: Logger
    ) async throws -> ScimUserRecord? {
        let email = user.email
        let records = try await Self.refusingTakenUserName(user.userName) {
            try await ScimUserRecord.decode(
                db.query(
                    """
                    UPDATE directory_users SET
                        user_name = \(user.userName), idp_external_id = \(user.externalId), active = coalesce(\(user.active)::boolean, active),
                        display_name = \(user.displayName), given_name = \(user.name.givenName), family_name = \(user.name.familyName),
                        formatted_name = \(user.name.formatted),
                        emails = CASE WHEN \(email)::text IS NULL THEN '[]'::jsonb
                                      ELSE jsonb_build_array(jsonb_build_object('value', \(email)::text, 'type', 'work', 'primary', true)) END,
                        email_normalized = \(matchingEmail), version = version + 1, updated_at = now()
                    WHERE org_id = \(organization.rawValue) AND source = 'scim' AND external_id = \(id)
                    RETURNING \(unescaped: ScimUserRecord.columns)
                    """, logger: logger))
        }
        return records.first
    }

    /// Deletes the user and takes it out of every group. Returns the groups it was in, or nil
    /// when there is no such user.
    ///
    /// The user goes first, in a statement of its own: it waits for any change adding the user
    /// to a group (``ScimGroupRepository/addMembers(_:group:users:on:logger:)`` key-share locks
    /// it), and the memberships are then deleted by a statement whose snapshot includes what that
    /// change committed.
    public func delete(_ organization: OrganizationID, id: String, on db: PostgresConnection, logger: Logger) async throws -> [String]? {
        let org = organization.rawValue
        let deleted = try await db.query(
            "DELETE FROM directory_users WHERE org_id = \(org) AND source = 'scim' AND external_id = \(id) RETURNING 1", logger: logger)
        guard try await deleted.decode(Int.self).first(where: { _ in true }) != nil else { return nil }
        let left = try await db.query(
            """
            WITH left_groups AS (
                DELETE FROM directory_group_members WHERE org_id = \(org) AND source = 'scim' AND external_user_id = \(id) RETURNING group_id
            )
            SELECT DISTINCT group_id FROM left_groups ORDER BY group_id
            """, logger: logger)
        var groups: [String] = []
        for try await group in left.decode(String.self) { groups.append(group) }
        return groups
    }

    /// Runs `write`, turning a clash on the unique userName index into the SCIM 409 Entra and
    /// Okta expect (they then look the user up instead of retrying the create).
    static func refusingTakenUserName<Result>(_ userName: String, _ write: () async throws -> Result) async throws -> Result {
        do {
            return try await write()
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw ScimError.uniqueness("A user with userName \"\(userName)\" already exists.")
        }
    }
}
