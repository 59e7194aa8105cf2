import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// A connection's teams as last seen on the platform, with the admin's selection. Every method
/// runs on a connection already scoped to `organization`.
public struct TeamRepository: Sendable {
    public init() {}

    /// A team as a platform listed it.
    public struct Seen: Sendable {
        public var platformTeamID: String
        public var name: String
        public var description: String?
        public var memberCount: Int?

        public init(platformTeamID: String, name: String, description: String?, memberCount: Int?) {
            self.platformTeamID = platformTeamID
            self.name = name
            self.description = description
            self.memberCount = memberCount
        }
    }

    static let columns = """
        id, connection_id, platform_team_id, name, description, member_count, selected, selected_at, selected_by, last_seen_at
        """

    /// Remembers teams a live listing showed (names change upstream), keeping the selection.
    /// Returns them as stored, in the order given.
    public func upsertSeen(
        _ teams: [Seen], organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> [Team] {
        guard !teams.isEmpty else { return [] }
        let rows = try await db.query(
            """
            INSERT INTO teams AS t (org_id, id, connection_id, platform_team_id, name, description, member_count, last_seen_at)
            SELECT \(organization.rawValue), gen_random_uuid(), \(connection.rawValue), s.id, s.name, nullif(s.description, ''),
                   nullif(s.members, -1), now()
            FROM unnest(\(teams.map(\.platformTeamID))::text[], \(teams.map(\.name))::text[],
                        \(teams.map { $0.description ?? "" })::text[], \(teams.map { $0.memberCount ?? -1 })::integer[]) AS s(id, name, description, members)
            ON CONFLICT (org_id, connection_id, platform_team_id) DO UPDATE SET
                name = EXCLUDED.name, description = EXCLUDED.description,
                member_count = coalesce(EXCLUDED.member_count, t.member_count), last_seen_at = now()
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        let stored = Dictionary(try await Self.decode(rows).map { ($0.platformTeamID, $0) }) { first, _ in first }
        return teams.compactMap { stored[$0.platformTeamID] }
    }

    /// The connection's known teams, selected ones first, then by name.
    public func list(
        _ organization: OrganizationID, connection: ConnectionID, selectedOnly: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> [Team] {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM teams
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue) AND (NOT \(selectedOnly) OR selected)
            ORDER BY selected DESC, lower(name), id
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// One page of the connection's known teams whose name contains `search` (case-insensitive),
    /// selected ones first, then by name; and how many match in all.
    public func search(
        _ organization: OrganizationID, connection: ConnectionID, search: String?, limit: Int, offset: Int,
        on db: PostgresConnection, logger: Logger
    ) async throws -> (teams: [Team], total: Int) {
        let term = search.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns), count(*) OVER () FROM teams
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
              AND (\(term)::text IS NULL OR strpos(lower(name), \(term)) > 0)
            ORDER BY selected DESC, lower(name), id
            LIMIT \(limit) OFFSET \(offset)
            """, logger: logger)
        var teams: [Team] = []
        var total = 0
        typealias Row = (UUID, UUID, String, String, String?, Int32?, Bool, Date?, String?, Date?, Int)
        for try await row in rows.decode(Row.self) {
            teams.append(
                Team(
                    id: TeamID(row.0), connectionID: ConnectionID(row.1), platformTeamID: row.2, name: row.3, description: row.4,
                    memberCount: row.5.map(Int.init), selected: row.6, selectedAt: row.7, selectedBy: row.8, lastSeenAt: row.9))
            total = row.10
        }
        if teams.isEmpty, offset > 0 {
            total = try await self.search(organization, connection: connection, search: search, limit: 1, offset: 0, on: db, logger: logger).total
        }
        return (teams, total)
    }

    /// The selection state of `platformTeamIDs` (unknown ids are left out).
    public func find(
        _ organization: OrganizationID, connection: ConnectionID, platformTeamIDs: [String], on db: PostgresConnection, logger: Logger
    ) async throws -> [Team] {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM teams
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
              AND platform_team_id = ANY(\(platformTeamIDs)::text[])
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// Selects and deselects teams by their platform ids. Returns the ids that changed.
    public func setSelected(
        _ organization: OrganizationID, connection: ConnectionID, platformTeamIDs: [String], selected: Bool, by actor: String,
        on db: PostgresConnection, logger: Logger
    ) async throws -> [String] {
        guard !platformTeamIDs.isEmpty else { return [] }
        let rows = try await db.query(
            """
            UPDATE teams SET selected = \(selected),
                selected_at = CASE WHEN \(selected) THEN now() END, selected_by = CASE WHEN \(selected) THEN \(actor) END
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
              AND platform_team_id = ANY(\(platformTeamIDs)::text[]) AND selected <> \(selected)
            RETURNING platform_team_id
            """, logger: logger)
        var changed: [String] = []
        for try await id in rows.decode(String.self) { changed.append(id) }
        return changed
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Team] {
        var result: [Team] = []
        typealias Row = (UUID, UUID, String, String, String?, Int32?, Bool, Date?, String?, Date?)
        for try await row in rows.decode(Row.self) {
            result.append(
                Team(
                    id: TeamID(row.0), connectionID: ConnectionID(row.1), platformTeamID: row.2, name: row.3, description: row.4,
                    memberCount: row.5.map(Int.init), selected: row.6, selectedAt: row.7, selectedBy: row.8, lastSeenAt: row.9))
        }
        return result
    }
}
