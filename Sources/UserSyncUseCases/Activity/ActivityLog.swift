import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// What happened in an organization: its audit log and its jobs, newest first. Shared by the
/// JSON API and the console's Activity and Jobs pages.
public struct ActivityLog: Sendable {
    let database: Database
    let audit = AuditLogRepository()
    let members = ConsoleMemberRepository()
    let keys = APIKeyRepository()

    public init(database: Database) { self.database = database }

    /// One page of audit entries matching `filter`, and the id to continue before when there may be more.
    public func entries(
        _ organization: OrganizationID, _ filter: AuditLogRepository.Filter, logger: Logger
    ) async throws -> (entries: [AuditLogRepository.Record], before: Int64?) {
        var probe = filter
        probe.limit = filter.limit + 1
        let entries = try await database.withTenant(organization, logger: logger) { db in
            try await audit.list(organization, probe, on: db, logger: logger)
        }
        let page = Array(entries.prefix(filter.limit))
        return (page, entries.count > filter.limit ? page.last?.id : nil)
    }

    /// Readable names of the members, keys and Auto Sync policies that act in the log, by actor id.
    public func actorNames(_ organization: OrganizationID, logger: Logger) async throws -> [String: String] {
        try await database.withTenant(organization, logger: logger) { db in
            var names: [String: String] = [:]
            for member in try await members.list(organization, includeRevoked: true, on: db, logger: logger) {
                names[member.id.description] = member.identity.label
            }
            for key in try await keys.list(organization, includeRevoked: true, on: db, logger: logger) {
                names[key.id.description] = "API key “\(key.name)”"
            }
            for policy in try await AutoSyncPolicyRepository().list(organization, on: db, logger: logger) {
                names[policy.id.description] = "Auto Sync policy “\(policy.settings.name)”"
            }
            return names
        }
    }

    /// One page of the organization's jobs, and the id to continue before when there may be more.
    public func jobs(
        _ organization: OrganizationID, kind: String?, state: JobState?, before: Int64?, limit: Int, logger: Logger
    ) async throws -> (jobs: [JobRecord], before: Int64?) {
        let filter = JobFilter(organizationID: organization, kind: kind, state: state, before: before, limit: limit + 1)
        let jobs = try await database.withTenant(organization, logger: logger) { db in
            try await JobQueue.list(filter, on: db, logger: logger)
        }
        let page = Array(jobs.prefix(limit))
        return (page, jobs.count > limit ? page.last?.id : nil)
    }

    public func job(_ id: Int64, organization: OrganizationID, logger: Logger) async throws -> JobRecord {
        let job = try await database.withTenant(organization, logger: logger) { db in
            try await JobQueue.get(id, organization: organization, on: db, logger: logger)
        }
        guard let job else { throw DomainError.notFound(resource: "job") }
        return job
    }
}
