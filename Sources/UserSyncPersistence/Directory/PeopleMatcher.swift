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

    /// What a matching pass changed.
    public struct Outcome: Sendable, Equatable {
        public var peopleCreated = 0
        public var peopleRenamed = 0
        public var peopleRemoved = 0
        public var accountsMoved = 0
        public var peopleUpdated = 0
    }

    public func match(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Outcome {
        let org = organization.rawValue
        var outcome = Outcome()
        try await db.query("SELECT pg_advisory_xact_lock(hashtextextended('usersync.people:' || \(organization.description), 0))", logger: logger)

        // A person whose accounts all moved to one new address that nobody has yet keeps their
        // identity (and their primary choice and syncs): the person takes the new address.
        outcome.peopleRenamed = try await count(
            db,
            """
            WITH linked AS (
                SELECT a.person_id, min(a.email_normalized) AS email
                FROM platform_accounts a
                WHERE a.org_id = \(org) AND a.person_id IS NOT NULL
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
              AND NOT EXISTS (SELECT 1 FROM people p WHERE p.org_id = \(org) AND p.email_normalized = a.email_normalized)
            ORDER BY a.email_normalized, a.active DESC
            ON CONFLICT (org_id, email_normalized) DO NOTHING
            RETURNING id
            """, logger: logger)

        outcome.accountsMoved = try await count(
            db,
            """
            UPDATE platform_accounts a SET person_id = p.id
            FROM platform_accounts cur LEFT JOIN people p ON p.org_id = \(org) AND p.email_normalized = cur.email_normalized
            WHERE a.org_id = \(org) AND cur.org_id = \(org) AND cur.id = a.id AND a.person_id IS DISTINCT FROM p.id
            RETURNING a.id
            """, logger: logger)

        outcome.peopleRemoved = try await count(
            db,
            """
            DELETE FROM people p
            WHERE p.org_id = \(org)
              AND NOT EXISTS (SELECT 1 FROM platform_accounts a WHERE a.org_id = \(org) AND a.person_id = p.id)
            RETURNING p.id
            """, logger: logger)

        outcome.peopleUpdated = try await resolvePrimaries(organization, on: db, logger: logger)
        return outcome
    }

    /// Applies ``PrimaryResolution`` to every person of the organization, writing only the people
    /// whose primary, flags or name change. Returns how many changed.
    public func resolvePrimaries(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> Int {
        let org = organization.rawValue
        return try await count(
            db,
            """
            WITH accounts AS (
                SELECT a.person_id,
                       array_agg(DISTINCT a.connection_id) FILTER (WHERE a.active AND c.disconnected_at IS NULL) AS active_connections,
                       bool_and(NOT a.active OR c.disconnected_at IS NOT NULL) AS all_inactive,
                       (array_agg(coalesce(a.display_name, a.real_name) ORDER BY a.active DESC, c.created_at, a.id)
                            FILTER (WHERE coalesce(a.display_name, a.real_name) IS NOT NULL))[1] AS name
                FROM platform_accounts a
                JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
                WHERE a.org_id = \(org) AND a.person_id IS NOT NULL
                GROUP BY a.person_id
            ), decided AS (
                SELECT p.id, s.all_inactive, coalesce(s.name, p.display_name) AS name,
                       CASE
                           WHEN p.primary_source = 'admin'
                                AND (p.primary_connection_id = ANY(s.active_connections) OR s.active_connections IS NULL)
                               THEN p.primary_connection_id
                           WHEN cardinality(s.active_connections) = 1 THEN s.active_connections[1]
                       END AS primary_id,
                       CASE
                           WHEN p.primary_source = 'admin'
                                AND (p.primary_connection_id = ANY(s.active_connections) OR s.active_connections IS NULL)
                               THEN 'admin'
                           WHEN cardinality(s.active_connections) = 1 THEN 'default'
                       END AS source,
                       coalesce(cardinality(s.active_connections), 0) AS active_count
                FROM people p JOIN accounts s ON s.person_id = p.id
                WHERE p.org_id = \(org)
            )
            UPDATE people p SET
                primary_connection_id = d.primary_id, primary_source = d.source,
                primary_chosen_by = CASE WHEN d.source = 'admin' THEN p.primary_chosen_by END,
                primary_chosen_at = CASE WHEN d.source = 'admin' THEN p.primary_chosen_at END,
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
