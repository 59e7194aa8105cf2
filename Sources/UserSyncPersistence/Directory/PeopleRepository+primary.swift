import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension PeopleRepository {
    /// Why a person's primary was or was not set by ``setPrimary(_:people:connection:platform:by:on:logger:)``.
    public enum PrimaryVerdict: String, Sendable, CaseIterable {
        case updated
        case unknownPerson = "unknown_person"
        /// No active account on the chosen platform or connection.
        case noActiveAccount = "no_active_account"
        /// Active accounts on several connections of the chosen platform: name the connection.
        case ambiguous
        /// A sync onto that connection exists: reset it first.
        case syncExists = "sync_exists"
    }

    /// An admin's choice of primary for many people at once: a connection, or a platform (the
    /// person's one active connection of it). One statement; each person gets a verdict.
    public func setPrimary(
        _ organization: OrganizationID, people: [PersonID], connection: ConnectionID?, platform: Platform?, by actor: String,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [(person: PersonID, verdict: PrimaryVerdict)] {
        let org = organization.rawValue
        try await PeopleMatcher.lockPeople(organization, on: db, logger: logger)
        let rows = try await db.query(
            """
            WITH wanted AS (
                SELECT DISTINCT unnest(\(people.map(\.rawValue))::uuid[]) AS person_id
            ), candidates AS (
                SELECT w.person_id, p.id AS found, (
                    SELECT array_agg(DISTINCT a.connection_id)
                    FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
                    WHERE a.org_id = \(org) AND a.person_id = w.person_id AND a.active AND c.disconnected_at IS NULL
                      AND (a.connection_id = \(connection?.rawValue) OR c.platform = \(platform?.rawValue))) AS choices
                FROM wanted w LEFT JOIN people p ON p.org_id = \(org) AND p.id = w.person_id
            ), judged AS (
                SELECT c.*, CASE
                    WHEN c.found IS NULL THEN 'unknown_person'
                    WHEN c.choices IS NULL THEN 'no_active_account'
                    WHEN cardinality(c.choices) > 1 THEN 'ambiguous'
                    WHEN EXISTS (SELECT 1 FROM syncs s WHERE s.org_id = \(org) AND s.person_id = c.person_id
                                   AND s.connection_id = c.choices[1]) THEN 'sync_exists'
                    ELSE 'updated' END AS verdict
                FROM candidates c
            ), updated AS (
                UPDATE people p SET primary_connection_id = j.choices[1], primary_source = 'admin', primary_chosen_by = \(actor),
                    primary_chosen_at = now(), needs_primary_choice = false
                FROM judged j
                WHERE p.org_id = \(org) AND p.id = j.person_id AND j.verdict = 'updated'
                RETURNING p.id
            )
            SELECT person_id, verdict FROM judged
            """, logger: logger)
        var result: [(PersonID, PrimaryVerdict)] = []
        for try await (person, verdict) in rows.decode((UUID, String).self) {
            result.append((PersonID(person), PrimaryVerdict(rawValue: verdict) ?? .unknownPerson))
        }
        return result
    }

    /// Forgets an admin's choice (a reset): the person's primary is worked out again from their accounts.
    public func clearPrimaryChoice(_ organization: OrganizationID, _ person: PersonID, on db: PostgresConnection, logger: Logger) async throws {
        try await PeopleMatcher.lockPeople(organization, on: db, logger: logger)
        try await db.query(
            """
            UPDATE people SET primary_connection_id = NULL, primary_source = NULL, primary_chosen_by = NULL, primary_chosen_at = NULL
            WHERE org_id = \(organization.rawValue) AND id = \(person.rawValue)
            """, logger: logger)
        _ = try await PeopleMatcher().resolvePrimaries(organization, alsoPeople: [person.rawValue], onlyThose: true, on: db, logger: logger)
    }

    /// Deletes a person and their accounts (a removal); a later import brings them back as new.
    public func delete(_ organization: OrganizationID, _ person: PersonID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM platform_accounts WHERE org_id = \(organization.rawValue) AND person_id = \(person.rawValue)", logger: logger)
        try await db.query("DELETE FROM people WHERE org_id = \(organization.rawValue) AND id = \(person.rawValue)", logger: logger)
    }

    /// Reserves a prompt at `now` for each of `people` unless one was sent within `interval` (or
    /// `force`): returns the people it reserved for, and for the others when their next prompt is allowed.
    public func reservePrompts(
        _ organization: OrganizationID, people: [PersonID], interval: TimeInterval, force: Bool, now: Date, on db: PostgresConnection,
        logger: Logger
    ) async throws -> (reserved: [PersonID], throttled: [PersonID: Date]) {
        let rows = try await db.query(
            """
            WITH before AS (
                SELECT id, last_prompted_at FROM people
                WHERE org_id = \(organization.rawValue) AND id = ANY(\(people.map(\.rawValue))::uuid[]) FOR UPDATE
            ), reserved AS (
                UPDATE people p SET last_prompted_at = \(now)
                FROM before b
                WHERE p.org_id = \(organization.rawValue) AND p.id = b.id
                  AND (\(force) OR b.last_prompted_at IS NULL OR b.last_prompted_at <= \(now)::timestamptz - make_interval(secs => \(interval)))
                RETURNING p.id
            )
            SELECT b.id, r.id IS NOT NULL, b.last_prompted_at + make_interval(secs => \(interval))
            FROM before b LEFT JOIN reserved r ON r.id = b.id
            """, logger: logger)
        var reserved: [PersonID] = []
        var throttled: [PersonID: Date] = [:]
        for try await (id, ok, next) in rows.decode((UUID, Bool, Date?).self) {
            if ok { reserved.append(PersonID(id)) } else { throttled[PersonID(id)] = next ?? now }
        }
        return (reserved, throttled)
    }
}

extension PeopleRepository {
    /// The people whose accounts on `platform` (or on `connection`) have the platform user id.
    public func owners(
        _ organization: OrganizationID, platform: Platform, platformUserID: String, connection: ConnectionID?,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [(account: AccountID, connection: ConnectionID, person: PersonID?, active: Bool)] {
        let rows: any AsyncSequence<PostgresRow, any Error> =
            if let connection {
                try await db.execute(
                    OwnerOnConnectionStatement(
                        organization: organization.rawValue, connection: connection.rawValue, platformUserID: platformUserID,
                        platform: platform.rawValue), logger: logger)
            } else {
                try await db.query(
                    """
                    \(unescaped: OwnerOnConnectionStatement.owners)
                    WHERE a.org_id = \(organization.rawValue) AND a.platform_user_id = \(platformUserID) AND c.platform = \(platform.rawValue)
                    ORDER BY c.disconnected_at NULLS FIRST, c.created_at
                    """, logger: logger)
            }
        var result: [(AccountID, ConnectionID, PersonID?, Bool)] = []
        for try await row in rows {
            let (id, connection, person, active) = try row.decode((UUID, UUID, UUID?, Bool).self)
            result.append((AccountID(id), ConnectionID(connection), person.map(PersonID.init), active))
        }
        return result
    }

    /// The relay reads the owner of every message's sender and recipient on the connection it came from.
    struct OwnerOnConnectionStatement: HotStatement {
        /// An account with its owner, and its connection (`c`).
        static let owners = """
            SELECT a.id, a.connection_id, a.person_id, a.active
            FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
            """
        static let sql = """
            \(owners)
            WHERE a.org_id = $1::uuid AND a.connection_id = $2::uuid AND a.platform_user_id = $3::text AND c.platform = $4::text
            """
        let organization: UUID
        let connection: UUID
        let platformUserID: String
        let platform: String

        func makeBindings() -> PostgresBindings { bindings(organization, connection, platformUserID, platform) }
    }

    /// The person with a normalized address.
    public func find(_ organization: OrganizationID, email: String, on db: PostgresConnection, logger: Logger) async throws -> PersonID? {
        let rows = try await db.query(
            "SELECT id FROM people WHERE org_id = \(organization.rawValue) AND email_normalized = \(email)", logger: logger)
        for try await id in rows.decode(UUID.self) { return PersonID(id) }
        return nil
    }
}
