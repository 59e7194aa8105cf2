import Logging
import PostgresNIO
import UserSyncDomain

/// Writes an import run's pages into `platform_accounts` as they arrive: one multi-row upsert per
/// page, never the whole organization in memory. Idempotent: writing the same page twice changes
/// nothing the second time. Every method runs on a connection scoped to the organization.
public struct AccountImportWriter: Sendable {
    public init() {}

    /// One platform user as the import writes it.
    public struct Row: Sendable {
        public var platformUserID: String
        /// Every address, the one people are matched on first.
        public var emails: [String]
        public var displayName: String?
        public var realName: String?
        public var isActive: Bool
        public var isGuest: Bool

        public init(platformUserID: String, emails: [String], displayName: String?, realName: String?, isActive: Bool, isGuest: Bool) {
            self.platformUserID = platformUserID
            self.emails = emails
            self.displayName = displayName
            self.realName = realName
            self.isActive = isActive
            self.isGuest = isGuest
        }
    }

    /// What one page changed.
    public struct PageResult: Sendable, Equatable {
        public var written = 0
        public var added = 0
        public var updated = 0
        public var reactivated = 0
        public var deactivated = 0
        /// Written rows with no address to match a person on.
        public var withoutEmail = 0
    }

    /// Where a run writes: its organization, connection and id.
    public struct Target: Sendable {
        public var organization: OrganizationID
        public var connection: ConnectionID
        public var run: ImportRunID

        public init(organization: OrganizationID, connection: ConnectionID, run: ImportRunID) {
            self.organization = organization
            self.connection = connection
            self.run = run
        }
    }

    /// These statements join whole tables, among them the staging table the service role cannot
    /// ANALYZE: its statistics lag behind its contents, and the planner then picks nested loops
    /// that scan it once per row. Hash joins are right for every bulk step, so the rest of the
    /// transaction uses them.
    static func planForBulk(on db: PostgresConnection, logger: Logger) async throws {
        try await db.query("SET LOCAL enable_nestloop = off", logger: logger)
    }

    /// Disconnecting: every active account of the connection is marked inactive, with the reason.
    public func deactivateAll(
        _ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await db.query(
            """
            UPDATE platform_accounts SET active = false, deactivated_at = now(), updated_at = now(),
                deactivation_reason = 'connection_disconnected'
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue) AND active
            RETURNING id
            """, logger: logger)
        return try await rows.collect().count
    }
}
