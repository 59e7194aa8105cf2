import Logging
import PostgresNIO

/// Brings the planner's statistics up to date after a bulk change, so that lookups by key keep
/// their index plans (see `usersync_refresh_*_statistics` in sql/0011). Works inside a
/// transaction: its own uncommitted rows count.
public enum PlannerStatistics {
    /// Rows a bulk change must touch before it refreshes the statistics itself.
    public static let threshold = 1_000

    /// People, accounts, memberships and syncs: after an import.
    public static func refreshDirectory(on db: PostgresConnection, logger: Logger) async throws {
        try await db.run("SELECT usersync_refresh_directory_statistics()", logger: logger)
    }

    /// Syncs: after a bulk sync.
    public static func refreshSyncs(on db: PostgresConnection, logger: Logger) async throws {
        try await db.run("SELECT usersync_refresh_sync_statistics()", logger: logger)
    }
}
