import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Import runs and their live counts. Every method runs on a connection already scoped to
/// `organization`.
public struct ImportRunRepository: Sendable {
    public init() {}

    static let columns = """
        id, org_id, connection_id, state, phase, failure_cause, failure_message, waiting_until, last_error, attempts, job_id,
        requested_by, created_at, started_at, finished_at, pages_fetched, teams_total, teams_fetched, accounts_seen,
        accounts_added, accounts_updated, accounts_reactivated, accounts_deactivated, accounts_without_email, bots_skipped
        """

    /// Creates a queued run, or returns nil when the connection already has an active one.
    public func create(_ run: ImportRun, on db: PostgresConnection, logger: Logger) async throws -> ImportRun? {
        let rows = try await db.query(
            """
            INSERT INTO import_runs (org_id, id, connection_id, state, requested_by, created_at)
            VALUES (\(run.organizationID.rawValue), \(run.id.rawValue), \(run.connectionID.rawValue), 'queued',
                    \(run.requestedBy), \(run.createdAt))
            ON CONFLICT (org_id, connection_id) WHERE state IN ('queued', 'running') DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    public func setJob(_ organization: OrganizationID, _ id: ImportRunID, job: Int64?, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "UPDATE import_runs SET job_id = \(job) WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)", logger: logger)
    }

    public func get(_ organization: OrganizationID, _ id: ImportRunID, on db: PostgresConnection, logger: Logger) async throws -> ImportRun {
        let rows = try await db.query(
            "SELECT \(unescaped: Self.columns) FROM import_runs WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
        guard let run = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "import") }
        return run
    }

    public func active(
        _ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> ImportRun? {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM import_runs
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue) AND state IN ('queued', 'running')
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    /// A connection's runs, newest first, after the run `before` when given.
    public func list(
        _ organization: OrganizationID, connection: ConnectionID, before: ImportRunID?, limit: Int, on db: PostgresConnection,
        logger: Logger
    ) async throws -> [ImportRun] {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM import_runs r
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
              AND (\(before?.rawValue)::uuid IS NULL OR (created_at, id) < (
                    SELECT created_at, id FROM import_runs WHERE org_id = \(organization.rawValue) AND id = \(before?.rawValue)))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// The newest run of each of `connections`.
    public func latest(
        _ organization: OrganizationID, connections: [ConnectionID], on db: PostgresConnection, logger: Logger
    ) async throws -> [ConnectionID: ImportRun] {
        let rows = try await db.query(
            """
            SELECT DISTINCT ON (connection_id) \(unescaped: Self.columns) FROM import_runs
            WHERE org_id = \(organization.rawValue) AND connection_id = ANY(\(connections.map(\.rawValue))::uuid[])
            ORDER BY connection_id, created_at DESC, id DESC
            """, logger: logger)
        return Dictionary(try await Self.decode(rows).map { ($0.connectionID, $0) }) { first, _ in first }
    }

    /// Starts (or restarts, after a crash or a snooze) an attempt: the run is running, its staged
    /// members and per-attempt counts start over, and the exact changes already written by
    /// earlier attempts are counted. Returns nil when the run is no longer active.
    public func beginAttempt(_ organization: OrganizationID, _ id: ImportRunID, on db: PostgresConnection, logger: Logger) async throws -> ImportRun?
    {
        try await clearStaging(organization, id, on: db, logger: logger)
        let rows = try await db.query(
            """
            WITH changes AS (
                SELECT count(*) FILTER (WHERE a.import_change = 'added') AS added,
                       count(*) FILTER (WHERE a.import_change = 'updated') AS updated,
                       count(*) FILTER (WHERE a.import_change = 'reactivated') AS reactivated,
                       count(*) FILTER (WHERE a.import_change = 'deactivated') AS deactivated
                FROM platform_accounts a
                WHERE a.org_id = \(organization.rawValue) AND a.import_change_run_id = \(id.rawValue)
                  AND a.connection_id = (SELECT connection_id FROM import_runs WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue))
            )
            UPDATE import_runs SET state = 'running', phase = NULL, attempts = attempts + 1, started_at = coalesce(started_at, now()),
                waiting_until = NULL, pages_fetched = 0, teams_total = 0, teams_fetched = 0, accounts_seen = 0, bots_skipped = 0,
                accounts_without_email = 0, accounts_added = changes.added, accounts_updated = changes.updated,
                accounts_reactivated = changes.reactivated, accounts_deactivated = changes.deactivated
            FROM changes
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND state IN ('queued', 'running')
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    public func setPhase(
        _ organization: OrganizationID, _ id: ImportRunID, _ phase: ImportRun.Phase, teamsTotal: Int? = nil,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE import_runs SET phase = \(phase.rawValue), teams_total = coalesce(\(teamsTotal), teams_total), waiting_until = NULL
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            """, logger: logger)
    }

    /// Whether the run may still write: it is running and its connection is not disconnected.
    /// Holds the connection row (shared) until the transaction ends, so that a disconnect, which
    /// updates that row first, either waits for this write and then deactivates what it wrote, or
    /// commits before it and stops it.
    public func mayWrite(
        _ organization: OrganizationID, _ id: ImportRunID, connection: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await db.query(
            """
            SELECT r.state FROM platform_connections c
            JOIN import_runs r ON r.org_id = c.org_id AND r.connection_id = c.id
            WHERE c.org_id = \(organization.rawValue) AND c.id = \(connection.rawValue) AND r.id = \(id.rawValue)
              AND c.disconnected_at IS NULL
            FOR SHARE OF c
            """, logger: logger)
        for try await state in rows.decode(String.self) { return state == ImportRun.State.running.rawValue }
        return false
    }

    /// Adds one page's worth of progress to the live counts.
    public func addProgress(
        _ organization: OrganizationID, _ id: ImportRunID, _ delta: ImportRun.Counts, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE import_runs SET pages_fetched = pages_fetched + \(delta.pagesFetched), teams_fetched = teams_fetched + \(delta.teamsFetched),
                accounts_seen = accounts_seen + \(delta.accountsSeen), accounts_added = accounts_added + \(delta.accountsAdded),
                accounts_updated = accounts_updated + \(delta.accountsUpdated),
                accounts_reactivated = accounts_reactivated + \(delta.accountsReactivated),
                accounts_deactivated = accounts_deactivated + \(delta.accountsDeactivated),
                accounts_without_email = accounts_without_email + \(delta.accountsWithoutEmail),
                bots_skipped = bots_skipped + \(delta.botsSkipped), waiting_until = NULL
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            """, logger: logger)
    }

    /// A platform rate limit holds the run until `until`; it carries on (from the start) then.
    public func wait(
        _ organization: OrganizationID, _ id: ImportRunID, until: Date, reason: String, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE import_runs SET waiting_until = \(until), last_error = \(reason)
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND state IN ('queued', 'running')
            """, logger: logger)
    }

    /// Keeps the error of a failed attempt that will be retried.
    public func recordError(_ organization: OrganizationID, _ id: ImportRunID, _ error: String, on db: PostgresConnection, logger: Logger)
        async throws
    {
        try await db.query(
            "UPDATE import_runs SET last_error = \(String(error.prefix(2_000))) WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
    }

    /// Ends an active run. Succeeded runs get their exact counts; failed ones their cause.
    /// Returns the run as it ended, or nil when it had already ended. It ends when this statement
    /// runs, at the end of the finishing work: the transaction's `now()` would be when it began,
    /// before the wait for the people lock and the matching.
    @discardableResult
    public func finish(
        _ organization: OrganizationID, _ id: ImportRunID, state: ImportRun.State, counts: ImportRun.Counts? = nil,
        cause: String? = nil, message: String? = nil, on db: PostgresConnection, logger: Logger
    ) async throws -> ImportRun? {
        let c = counts
        let rows = try await db.query(
            """
            UPDATE import_runs SET state = \(state.rawValue), phase = NULL, waiting_until = NULL, finished_at = statement_timestamp(),
                failure_cause = \(cause), failure_message = \(message),
                accounts_added = coalesce(\(c?.accountsAdded), accounts_added),
                accounts_updated = coalesce(\(c?.accountsUpdated), accounts_updated),
                accounts_reactivated = coalesce(\(c?.accountsReactivated), accounts_reactivated),
                accounts_deactivated = coalesce(\(c?.accountsDeactivated), accounts_deactivated)
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND state IN ('queued', 'running')
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        try await clearStaging(organization, id, on: db, logger: logger)
        return try await Self.decode(rows).first
    }

    /// Empties the run's staging (members of selected teams, users seen).
    private func clearStaging(_ organization: OrganizationID, _ id: ImportRunID, on db: PostgresConnection, logger: Logger) async throws {
        for table in ["import_team_members", "import_seen_accounts"] {
            try await db.query(
                "DELETE FROM \(unescaped: table) WHERE org_id = \(organization.rawValue) AND run_id = \(id.rawValue)", logger: logger)
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [ImportRun] {
        var result: [ImportRun] = []
        typealias Row = (
            UUID, UUID, UUID, String, String?, String?, String?, Date?, String?, Int32, Int64?, String, Date, Date?, Date?,
            Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32
        )
        for try await r in rows.decode(Row.self) {
            var counts = ImportRun.Counts()
            counts.pagesFetched = Int(r.15)
            counts.teamsTotal = Int(r.16)
            counts.teamsFetched = Int(r.17)
            counts.accountsSeen = Int(r.18)
            counts.accountsAdded = Int(r.19)
            counts.accountsUpdated = Int(r.20)
            counts.accountsReactivated = Int(r.21)
            counts.accountsDeactivated = Int(r.22)
            counts.accountsWithoutEmail = Int(r.23)
            counts.botsSkipped = Int(r.24)
            result.append(
                ImportRun(
                    id: ImportRunID(r.0), organizationID: OrganizationID(r.1), connectionID: ConnectionID(r.2),
                    state: ImportRun.State(rawValue: r.3) ?? .failed, phase: r.4.flatMap(ImportRun.Phase.init(rawValue:)), counts: counts,
                    failureCause: r.5, failureMessage: r.6, waitingUntil: r.7, lastError: r.8, attempts: Int(r.9), jobID: r.10,
                    requestedBy: r.11, createdAt: r.12, startedAt: r.13, finishedAt: r.14))
        }
        return result
    }
}
