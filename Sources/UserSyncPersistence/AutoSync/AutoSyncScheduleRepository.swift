import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// What the Auto Sync scheduler reads across organizations (in the queue's scope): Graph delta
/// polls that are due, and run requests no run has seen yet.
public struct AutoSyncScheduleRepository: Sendable {
    public init() {}

    /// Polls or run requests taken per sweep; the next sweep takes the rest.
    static let batch = 500

    /// Takes the polls due now and moves each one's next time an interval on (±10%); returns them.
    public func takeDuePolls(
        interval: Duration, on db: PostgresConnection, logger: Logger
    ) async throws -> [(organization: OrganizationID, connection: ConnectionID)] {
        let rows = try await db.query(
            """
            UPDATE auto_sync_polls p SET next_poll_at = now() + make_interval(secs => \(interval.seconds) * (0.9 + random() * 0.2))
            FROM (SELECT org_id, connection_id FROM auto_sync_polls WHERE next_poll_at <= now()
                  ORDER BY next_poll_at LIMIT \(Self.batch) FOR UPDATE SKIP LOCKED) due
            WHERE p.org_id = due.org_id AND p.connection_id = due.connection_id
            RETURNING p.org_id, p.connection_id
            """, logger: logger)
        var due: [(OrganizationID, ConnectionID)] = []
        for try await (org, connection) in rows.decode((UUID, UUID).self) { due.append((OrganizationID(org), ConnectionID(connection))) }
        return due
    }

    /// Policies asked to run after their last run began, asked at least `settled` ago (a request
    /// younger than that is still on its way to its own job).
    public func pendingRuns(
        settled: Duration, on db: PostgresConnection, logger: Logger
    ) async throws -> [(organization: OrganizationID, policy: AutoSyncPolicyID)] {
        let rows = try await db.query(
            """
            SELECT org_id, id FROM auto_sync_policies
            WHERE run_requested_at > coalesce(run_done_through, '-infinity')
              AND run_requested_at < now() - make_interval(secs => \(settled.seconds))
            ORDER BY run_requested_at LIMIT \(Self.batch)
            """, logger: logger)
        var pending: [(OrganizationID, AutoSyncPolicyID)] = []
        for try await (org, policy) in rows.decode((UUID, UUID).self) { pending.append((OrganizationID(org), AutoSyncPolicyID(policy))) }
        return pending
    }

    /// Connections whose poll was asked for after their last poll began, asked at least `settled`
    /// ago: the request came as a poll job was finishing and could not queue one of its own.
    public func missedPollRequests(
        settled: Duration, on db: PostgresConnection, logger: Logger
    ) async throws -> [(organization: OrganizationID, connection: ConnectionID)] {
        let rows = try await db.query(
            """
            SELECT org_id, connection_id FROM auto_sync_polls
            WHERE poll_requested_at > coalesce(poll_done_through, '-infinity')
              AND poll_requested_at < now() - make_interval(secs => \(settled.seconds))
            ORDER BY poll_requested_at LIMIT \(Self.batch)
            """, logger: logger)
        var missed: [(OrganizationID, ConnectionID)] = []
        for try await (org, connection) in rows.decode((UUID, UUID).self) { missed.append((OrganizationID(org), ConnectionID(connection))) }
        return missed
    }

    // MARK: One organization's polls (tenant scope)

    /// Makes sure the connection is polled, and marks that a poll was asked for now (a poll
    /// running meanwhile sees the mark and polls again).
    public func requestPoll(_ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            """
            INSERT INTO auto_sync_polls (org_id, connection_id, next_poll_at, poll_requested_at)
            VALUES (\(organization.rawValue), \(connection.rawValue), now(), clock_timestamp())
            ON CONFLICT (org_id, connection_id) DO UPDATE SET poll_requested_at = excluded.poll_requested_at
            """, logger: logger)
    }

    /// Records that a poll saw every request up to `done` (nil: none yet) before it read the
    /// groups, and returns when a poll was last asked for (nil when never, or not followed).
    public func pollDone(
        _ organization: OrganizationID, connection: ConnectionID, through done: Date?, on db: PostgresConnection, logger: Logger
    ) async throws -> Date? {
        let rows = try await db.query(
            """
            UPDATE auto_sync_polls SET poll_done_through = greatest(poll_done_through, \(done))
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
            RETURNING poll_requested_at
            """, logger: logger)
        for try await at in rows.decode(Date?.self) { return at }
        return nil
    }

    /// Stops polling the connection.
    public func unfollow(_ organization: OrganizationID, connection: ConnectionID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.query(
            "DELETE FROM auto_sync_polls WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)", logger: logger)
    }

    /// Records a poll's outcome (`error` nil when it succeeded).
    public func polled(
        _ organization: OrganizationID, connection: ConnectionID, error: String?, on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            UPDATE auto_sync_polls SET last_polled_at = now(), last_error = \(error)
            WHERE org_id = \(organization.rawValue) AND connection_id = \(connection.rawValue)
            """, logger: logger)
    }

    /// Which of `policies` were asked to run after their last run began.
    public func waitingRuns(
        _ organization: OrganizationID, among policies: [AutoSyncPolicyID], on db: PostgresConnection, logger: Logger
    ) async throws -> [AutoSyncPolicyID] {
        let rows = try await db.query(
            """
            SELECT id FROM auto_sync_policies
            WHERE org_id = \(organization.rawValue) AND id = ANY(\(policies.map(\.rawValue))::uuid[])
              AND run_requested_at > coalesce(run_done_through, '-infinity')
            """, logger: logger)
        var waiting: [AutoSyncPolicyID] = []
        for try await id in rows.decode(UUID.self) { waiting.append(AutoSyncPolicyID(id)) }
        return waiting
    }
}
