import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// What to list.
public struct JobFilter: Sendable, Equatable {
    public var organizationID: OrganizationID?
    public var kind: String?
    public var state: JobState?
    /// Jobs with a smaller id than this (newest first, for cursor paging).
    public var before: Int64?
    public var limit: Int

    public init(organizationID: OrganizationID? = nil, kind: String? = nil, state: JobState? = nil, before: Int64? = nil, limit: Int = 50) {
        self.organizationID = organizationID
        self.kind = kind
        self.state = state
        self.before = before
        self.limit = limit
    }
}

extension JobQueue {
    /// Jobs matching `filter`, newest first. On a tenant connection only that organization's
    /// jobs are visible whatever the filter says.
    public static func list(_ filter: JobFilter, on connection: PostgresConnection, logger: Logger) async throws -> [JobRecord] {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: JobRecord.columns) FROM jobs
            WHERE (\(filter.organizationID?.rawValue)::uuid IS NULL OR org_id = \(filter.organizationID?.rawValue))
              AND (\(filter.kind)::text IS NULL OR kind = \(filter.kind))
              AND (\(filter.state?.rawValue)::text IS NULL OR state = \(filter.state?.rawValue))
              AND (\(filter.before)::bigint IS NULL OR id < \(filter.before))
            ORDER BY id DESC
            LIMIT \(filter.limit)
            """, logger: logger)
        return try await JobRecord.decode(rows)
    }

    public static func get(_ id: Int64, organization: OrganizationID?, on connection: PostgresConnection, logger: Logger) async throws -> JobRecord? {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: JobRecord.columns) FROM jobs
            WHERE id = \(id) AND (\(organization?.rawValue)::uuid IS NULL OR org_id = \(organization?.rawValue))
            """, logger: logger)
        return try await JobRecord.decode(rows).first
    }

    /// Puts a dead or cancelled job back in the queue with fresh attempts (an operator's retry).
    public func retry(_ id: Int64, logger: Logger) async throws -> JobRecord {
        do {
            return try await requeue(id, logger: logger)
        } catch DomainError.conflict(code: "already_exists", _) {
            // The dedupe index: a job with the same key is queued or running already.
            throw DomainError.conflict(
                code: "duplicate_job", message: "Job \(id) cannot be retried: a job with the same dedupe key is queued or running and does its work.")
        }
    }

    private func requeue(_ id: Int64, logger: Logger) async throws -> JobRecord {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(), finished_at = NULL
                WHERE id = \(id) AND state IN ('failed', 'cancelled')
                RETURNING \(unescaped: JobRecord.columns)
                """, logger: logger)
            guard let job = try await JobRecord.decode(rows).first else {
                throw try await Self.conflict(id, on: connection, logger: logger, action: "retried", allowed: "failed or cancelled")
            }
            try await connection.run(NotifyStatement(), logger: logger)
            return job
        }
    }

    /// Cancels a queued job. A running job cannot be cancelled (its handler is mid-call).
    public func cancel(_ id: Int64, logger: Logger) async throws -> JobRecord {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jobs SET state = 'cancelled', finished_at = now()
                WHERE id = \(id) AND state = 'queued'
                RETURNING \(unescaped: JobRecord.columns)
                """, logger: logger)
            guard let job = try await JobRecord.decode(rows).first else {
                throw try await Self.conflict(id, on: connection, logger: logger, action: "cancelled", allowed: "queued")
            }
            return job
        }
    }

    private static func conflict(_ id: Int64, on connection: PostgresConnection, logger: Logger, action: String, allowed: String) async throws
        -> DomainError
    {
        guard let job = try await get(id, organization: nil, on: connection, logger: logger) else {
            return .notFound(resource: "job")
        }
        return .conflict(code: "job_state", message: "job \(id) is \(job.state.rawValue); only \(allowed) jobs can be \(action)")
    }

    /// Queued jobs per kind and the age of the oldest due one, for the queue-depth metrics.
    public func depth(logger: Logger) async throws -> [(kind: String, queued: Int, oldestDueSeconds: Double)] {
        try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT kind, count(*), coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE run_at <= now())), 0)::float8
                FROM jobs WHERE state = 'queued' GROUP BY kind
                """, logger: logger)
            var result: [(String, Int, Double)] = []
            for try await (kind, count, age) in rows.decode((String, Int64, Double).self) { result.append((kind, Int(count), age)) }
            return result
        }
    }
}

extension JobRecord {
    static let columns = """
        org_id, id, kind, payload::text, priority, run_at, attempts, max_attempts, state, lease_owner, lease_expires_at,
        last_error, dedupe_key, created_at, started_at, finished_at
        """

    static func decode(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var records: [JobRecord] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            func value<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T { try c[index].decode(T.self, context: .default) }
            records.append(
                JobRecord(
                    organizationID: OrganizationID(try value(0, UUID.self)), id: try value(1, Int64.self), kind: try value(2, String.self),
                    payload: try value(3, String.self), priority: Int(try value(4, Int16.self)), runAt: try value(5, Date.self),
                    attempts: Int(try value(6, Int32.self)), maxAttempts: Int(try value(7, Int32.self)),
                    state: JobState(rawValue: try value(8, String.self)) ?? .failed, leaseOwner: try value(9, String?.self),
                    leaseExpiresAt: try value(10, Date?.self), lastError: try value(11, String?.self),
                    dedupeKey: try value(12, String?.self), createdAt: try value(13, Date.self),
                    startedAt: try value(14, Date?.self), finishedAt: try value(15, Date?.self)))
        }
        return records
    }
}
