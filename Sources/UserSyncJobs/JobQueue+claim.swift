import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// A job a worker holds a lease on.
public struct ClaimedJob: Sendable, Equatable {
    public var organizationID: OrganizationID
    public var id: Int64
    public var kind: String
    public var payload: String
    public var attempts: Int
    public var maxAttempts: Int
    public var createdAt: Date
    /// When the job became due: the later of its run-at and its creation.
    public var dueAt: Date
    public var startedAt: Date
}

/// What one claim took, and whether it left due jobs behind.
public struct Claim: Sendable {
    public var jobs: [ClaimedJob]
    /// Due jobs were still queued after it: held by another transaction at the time (an event
    /// joining its connection's relay job, another worker's claim), or beyond an organization's
    /// share of the batch. Claiming again soon takes them.
    public var passedOver: Bool
}

extension JobQueue {
    /// Claims up to `limit` due jobs in one statement, fairly between organizations: each
    /// organization with due jobs gets up to `perOrganization` of the batch, starting the round
    /// at a random organization, so one organization's backlog cannot hold back another's job
    /// for longer than a claim cycle. Within an organization: priority, then run-at.
    /// Claiming spends an attempt and takes a lease; `FOR UPDATE SKIP LOCKED` keeps concurrent
    /// claimers off each other's rows, and the claim says whether it passed over any due job.
    public func claim(
        worker: String, limit: Int, perOrganization: Int, lease: Duration, logger: Logger
    ) async throws -> Claim {
        // One statement (see sql/0009, 0045): the round starts at a random organization; a last
        // row of NULLs says that due jobs were passed over.
        let rows = try await database.client.query(
            """
            SELECT org_id, id, kind, payload, attempts, max_attempts, created_at, due_at, started_at
            FROM usersync_claim_due_jobs(\(worker), \(limit)::integer, \(perOrganization)::integer, \(lease.seconds), \(UUID()))
            """, logger: logger)
        var claim = Claim(jobs: [], passedOver: false)
        for try await (org, id, kind, payload, attempts, maxAttempts, created, due, started) in rows.decode(
            (UUID?, Int64?, String?, String?, Int32?, Int32?, Date?, Date?, Date?).self)
        {
            guard let org, let id, let kind, let payload, let attempts, let maxAttempts, let created, let due, let started else {
                claim.passedOver = true
                continue
            }
            claim.jobs.append(
                ClaimedJob(
                    organizationID: OrganizationID(org), id: id, kind: kind, payload: payload, attempts: Int(attempts),
                    maxAttempts: Int(maxAttempts), createdAt: created, dueAt: due, startedAt: started))
        }
        return claim
    }

    /// Extends the leases this worker holds on `ids`; returns the ids it still holds (a job
    /// reaped meanwhile is no longer this worker's to finish).
    public func extendLeases(worker: String, ids: [JobKey], lease: Duration, logger: Logger) async throws -> Set<JobKey> {
        guard !ids.isEmpty else { return [] }
        return try await database.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE jobs SET lease_expires_at = now() + make_interval(secs => \(lease.seconds))
                WHERE jobs.org_id = ANY (\(ids.organizations)) AND jobs.id = ANY (\(ids.map(\.id))) AND jobs.state = 'running' AND jobs.lease_owner = \(worker)
                RETURNING jobs.org_id, jobs.id
                """, logger: logger)
            var held = Set<JobKey>()
            for try await (org, id) in rows.decode((UUID, Int64).self) { held.insert(JobKey(OrganizationID(org), id)) }
            return held
        }
    }
}

/// A job's primary key.
public struct JobKey: Hashable, Sendable {
    public var organizationID: OrganizationID
    public var id: Int64

    public init(_ organizationID: OrganizationID, _ id: Int64) {
        self.organizationID = organizationID
        self.id = id
    }
}

extension [JobKey] {
    /// The keys' organizations, each once. Job ids are unique across organizations (one identity
    /// sequence), so `org_id = ANY (organizations) AND id = ANY (ids)` matches exactly these keys,
    /// by the primary key, with a cost that grows with the keys rather than with every running job
    /// (an `unnest` join could scan those once per key, depending on the plan).
    var organizations: [UUID] { [UUID](Set(map(\.organizationID.rawValue))) }
}

extension ClaimedJob {
    public var key: JobKey { JobKey(organizationID, id) }
}
