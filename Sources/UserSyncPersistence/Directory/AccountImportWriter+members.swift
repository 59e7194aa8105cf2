import Logging
import PostgresNIO
import UserSyncDomain

extension AccountImportWriter {
    /// Drops these users (bots the user listing skipped) from the run's staged team members, so
    /// that finishing the run does not take them for members the listing missed; returns how many
    /// of them were members of a selected team.
    public func unstageMembers(_ userIDs: [String], target: Target, on db: PostgresConnection, logger: Logger) async throws -> Int {
        guard !userIDs.isEmpty else { return 0 }
        let rows = try await db.query(
            """
            WITH gone AS (
                DELETE FROM import_team_members
                WHERE org_id = \(target.organization.rawValue) AND run_id = \(target.run.rawValue) AND platform_user_id = ANY(\(userIDs)::text[])
                RETURNING platform_user_id
            )
            SELECT count(DISTINCT platform_user_id)::int8 FROM gone
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Stages members of the run's selected teams (Teams, Webex), of any number of teams at once.
    public func stageMembers(_ members: [StagedMember], target: Target, on db: PostgresConnection, logger: Logger) async throws {
        guard !members.isEmpty else { return }
        try await db.query(
            """
            INSERT INTO import_team_members (org_id, run_id, team_id, platform_user_id, email, display_name)
            SELECT \(target.organization.rawValue), \(target.run.rawValue), m.team, m.id, nullif(m.email, ''), nullif(m.name, '')
            FROM unnest(\(members.map(\.team.rawValue))::uuid[], \(members.map(\.platformUserID))::text[],
                        \(members.map { $0.email ?? "" })::text[], \(members.map { $0.displayName ?? "" })::text[])
                AS m(team, id, email, name)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// A member of a selected team as listed.
    public struct StagedMember: Sendable {
        public var team: TeamID
        public var platformUserID: String
        public var email: String?
        public var displayName: String?

        public init(team: TeamID, platformUserID: String, email: String?, displayName: String?) {
            self.team = team
            self.platformUserID = platformUserID
            self.email = email
            self.displayName = displayName
        }
    }
}
