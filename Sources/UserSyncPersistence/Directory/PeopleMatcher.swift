import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Matches an organization's accounts into people by normalized email (DESIGN.md §1), set-based,
/// in the caller's transaction. Runs after every import and disconnect; concurrent runs for one
/// organization take turns (a transaction-level advisory lock), so two imports finishing at once
/// cannot create the same person twice.
public struct PeopleMatcher: Sendable {
    public init() {}

    /// Takes the organization's people lock until the transaction ends (taking it again is free).
    /// Every transaction that writes many people, or accounts and then people, takes it before its
    /// first such write: they then queue one behind the other instead of locking rows in opposite
    /// orders, which PostgreSQL would end by aborting one of them as a deadlock. An import's finish
    /// is the exception: it writes its own connection's accounts and memberships first, rows that
    /// another holder of the lock leaves alone (`ImportRunner`).
    public static func lockPeople(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.run("SELECT pg_advisory_xact_lock(hashtextextended('usersync.people:' || \(organization.description), 0))", logger: logger)
    }

    /// What a matching pass changed.
    public struct Outcome: Sendable, Equatable {
        public var peopleCreated = 0
        public var peopleRenamed = 0
        public var peopleRemoved = 0
        public var accountsMoved = 0
        public var peopleUpdated = 0
    }

    /// Matches after `connection`'s accounts changed (an import), or the whole organization's when
    /// `connection` is nil. Only the people those accounts belong to, or belonged to, are looked at.
    /// Does nothing when `changed` is false and every account of the connection has its person.
    public func match(
        _ organization: OrganizationID, connection: ConnectionID? = nil, changed: Bool = true, on db: PostgresConnection,
        logger: Logger
    ) async throws -> Outcome {
        let org = organization.rawValue, scope = connection?.rawValue
        var outcome = Outcome()
        try await Self.lockPeople(organization, on: db, logger: logger)
        try await AccountImportWriter.planForBulk(on: db, logger: logger)
        if !changed, try await !hasUnmatchedAccounts(organization, connection: connection, on: db, logger: logger) { return outcome }

        // A person whose accounts all moved to one new address that nobody has yet keeps their
        // identity (and their primary choice and syncs): the person takes the new address. Only
        // a person with an account in scope whose address is not theirs can be one; looking at
        // those first spares grouping the accounts of everyone else (0.4 s a run at 100,000).
        outcome.peopleRenamed = try await count(
            db,
            """
            WITH touched AS (
                SELECT DISTINCT a.person_id FROM platform_accounts a JOIN people p ON p.org_id = \(org) AND p.id = a.person_id
                WHERE a.org_id = \(org) AND (\(scope)::uuid IS NULL OR a.connection_id = \(scope))
                  AND a.email_normalized <> p.email_normalized
            ), linked AS (
                SELECT a.person_id, min(a.email_normalized) AS email
                FROM platform_accounts a JOIN touched t ON t.person_id = a.person_id
                WHERE a.org_id = \(org)
                GROUP BY a.person_id
                HAVING count(DISTINCT a.email_normalized) = 1 AND bool_and(a.email_normalized IS NOT NULL)
            ), candidates AS (
                SELECT l.person_id, l.email, count(*) OVER (PARTITION BY l.email) AS claimants
                FROM linked l JOIN people p ON p.org_id = \(org) AND p.id = l.person_id
                WHERE l.email <> p.email_normalized
                  AND NOT EXISTS (SELECT 1 FROM people q WHERE q.org_id = \(org) AND q.email_normalized = l.email)
            )
            UPDATE people p SET email_normalized = c.email
            FROM candidates c
            WHERE p.org_id = \(org) AND p.id = c.person_id AND c.claimants = 1
            RETURNING p.id
            """, logger: logger)

        outcome.peopleCreated = try await count(
            db,
            """
            INSERT INTO people (org_id, id, email_normalized, display_name)
            SELECT DISTINCT ON (a.email_normalized) \(org), gen_random_uuid(), a.email_normalized, coalesce(a.display_name, a.real_name)
            FROM platform_accounts a
            WHERE a.org_id = \(org) AND a.email_normalized IS NOT NULL
              AND (\(scope)::uuid IS NULL OR a.connection_id = \(scope) OR a.person_id IS NULL)
              AND NOT EXISTS (SELECT 1 FROM people p WHERE p.org_id = \(org) AND p.email_normalized = a.email_normalized)
            ORDER BY a.email_normalized, a.active DESC
            ON CONFLICT (org_id, email_normalized) DO NOTHING
            RETURNING id
            """, logger: logger)

        // Accounts go to the person of their address; the people they leave are remembered.
        let moved = try await db.query(
            """
            WITH moved AS (
                UPDATE platform_accounts a SET person_id = p.id
                FROM platform_accounts before LEFT JOIN people p ON p.org_id = \(org) AND p.email_normalized = before.email_normalized
                WHERE a.org_id = \(org) AND before.org_id = \(org) AND before.id = a.id
                  AND (\(scope)::uuid IS NULL OR before.connection_id = \(scope) OR before.person_id IS NULL)
                  AND before.person_id IS DISTINCT FROM p.id
                RETURNING before.person_id AS left_person
            )
            SELECT count(*)::integer, coalesce(array_agg(DISTINCT left_person) FILTER (WHERE left_person IS NOT NULL), '{}')
            FROM moved
            """, logger: logger)
        var left: [UUID] = []
        for try await (count, people) in moved.decode((Int32, [UUID]).self) {
            outcome.accountsMoved = Int(count)
            left = people
        }

        outcome.peopleRemoved = try await count(
            db,
            """
            DELETE FROM people p
            WHERE p.org_id = \(org) AND (\(scope)::uuid IS NULL OR p.id = ANY(\(left)::uuid[]))
              AND NOT EXISTS (SELECT 1 FROM platform_accounts a WHERE a.org_id = \(org) AND a.person_id = p.id)
            RETURNING p.id
            """, logger: logger)

        outcome.peopleUpdated = try await resolvePrimaries(organization, connection: connection, alsoPeople: left, on: db, logger: logger)
        return outcome
    }

    private func hasUnmatchedAccounts(
        _ organization: OrganizationID, connection: ConnectionID?, on db: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await db.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM platform_accounts
                WHERE org_id = \(organization.rawValue) AND person_id IS NULL AND email_normalized IS NOT NULL
                  AND (\(connection?.rawValue)::uuid IS NULL OR connection_id = \(connection?.rawValue)))
            """, logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Applies ``PrimaryResolution`` to the people with an account on `connection` and to
    /// `alsoPeople` (everyone, when `connection` is nil; only `alsoPeople` with `onlyThose`),
    /// writing only those whose primary, flags or name change. Returns how many changed.
    public func resolvePrimaries(
        _ organization: OrganizationID, connection: ConnectionID? = nil, alsoPeople: [UUID] = [], onlyThose: Bool = false,
        on db: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let org = organization.rawValue, scope = connection?.rawValue
        try await Self.lockPeople(organization, on: db, logger: logger)
        try await AccountImportWriter.planForBulk(on: db, logger: logger)
        return try await count(
            db,
            """
            WITH scoped AS (
                SELECT DISTINCT person_id FROM platform_accounts
                WHERE org_id = \(org) AND person_id IS NOT NULL AND NOT \(onlyThose)
                  AND (\(scope)::uuid IS NULL OR connection_id = \(scope))
                UNION
                SELECT unnest(\(alsoPeople)::uuid[])
            ), accounts AS (
                SELECT a.person_id,
                       array_agg(DISTINCT a.connection_id) FILTER (WHERE a.active AND c.disconnected_at IS NULL) AS active_connections,
                       bool_and(NOT a.active OR c.disconnected_at IS NOT NULL) AS all_inactive,
                       (array_agg(coalesce(a.display_name, a.real_name) ORDER BY a.active DESC, c.created_at, a.id)
                            FILTER (WHERE coalesce(a.display_name, a.real_name) IS NOT NULL))[1] AS name
                FROM platform_accounts a
                JOIN scoped s ON s.person_id = a.person_id
                JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
                WHERE a.org_id = \(org)
                GROUP BY a.person_id
            ), decided AS (
                SELECT p.id, s.all_inactive, coalesce(s.name, p.display_name) AS name,
                       CASE
                           WHEN p.primary_source IN ('admin', 'auto_sync')
                                AND (p.primary_connection_id = ANY(s.active_connections) OR s.active_connections IS NULL)
                               THEN p.primary_connection_id
                           WHEN cardinality(s.active_connections) = 1 THEN s.active_connections[1]
                       END AS primary_id,
                       CASE
                           WHEN p.primary_source IN ('admin', 'auto_sync')
                                AND (p.primary_connection_id = ANY(s.active_connections) OR s.active_connections IS NULL)
                               THEN p.primary_source
                           WHEN cardinality(s.active_connections) = 1 THEN 'default'
                       END AS source,
                       coalesce(cardinality(s.active_connections), 0) AS active_count
                FROM people p JOIN accounts s ON s.person_id = p.id
                WHERE p.org_id = \(org)
            )
            UPDATE people p SET
                primary_connection_id = d.primary_id, primary_source = d.source,
                primary_chosen_by = CASE WHEN d.source <> 'default' THEN p.primary_chosen_by END,
                primary_chosen_at = CASE WHEN d.source <> 'default' THEN p.primary_chosen_at END,
                needs_primary_choice = d.primary_id IS NULL AND d.active_count > 1,
                all_accounts_deactivated = d.all_inactive,
                display_name = d.name
            FROM decided d
            WHERE p.org_id = \(org) AND p.id = d.id
              AND (p.primary_connection_id, p.primary_source, p.needs_primary_choice, p.all_accounts_deactivated, p.display_name)
                  IS DISTINCT FROM (d.primary_id, d.source, d.primary_id IS NULL AND d.active_count > 1, d.all_inactive, d.name)
            RETURNING p.id
            """, logger: logger)
    }

    /// Runs a data-changing statement with `RETURNING` and counts its rows in the server.
    private func count(_ db: PostgresConnection, _ statement: PostgresQuery, logger: Logger) async throws -> Int {
        let rows = try await db.query(
            PostgresQuery(unsafeSQL: "WITH changed AS (\(statement.sql)) SELECT count(*)::integer FROM changed", binds: statement.binds),
            logger: logger)
        var total = 0
        for try await value in rows.decode(Int32.self) { total = Int(value) }
        return total
    }
}
