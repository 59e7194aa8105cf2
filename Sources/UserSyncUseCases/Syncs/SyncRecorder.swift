import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// Writes syncs' status changes, their history rows and their audit entries together.
struct SyncRecorder: Sendable {
    let syncs = SyncRepository()
    let audit = AuditLogRepository()

    @discardableResult
    func record(
        _ sync: Sync, _ outcome: SyncOutcome, actor: AuditActor, changes: SyncRepository.Changes = .init(), requestID: String? = nil,
        on db: PostgresConnection, logger: Logger
    ) async throws -> Sync {
        let organization = sync.organizationID
        let written = try await record(
            organization, [.init(sync: sync.id, outcome: outcome, changes: changes)], actor: actor, requestID: requestID, on: db, logger: logger)
        guard written.count == 1 else { throw DomainError.notFound(resource: "sync") }
        return try await syncs.get(organization, sync.id, on: db, logger: logger)
    }

    func record(
        _ sync: Sync, _ outcome: SyncOutcome, actor: AuditActor, changes: SyncRepository.Changes = .init(), database: Database,
        logger: Logger
    ) async throws {
        try await database.withTenant(sync.organizationID, logger: logger) { db in
            _ = try await record(sync, outcome, actor: actor, changes: changes, on: db, logger: logger)
        }
    }

    /// Writes many changes with two statements; returns the syncs written (see
    /// `SyncRepository.record` for the ones skipped).
    @discardableResult
    func record(
        _ organization: OrganizationID, _ changes: [SyncRepository.StatusChange], actor: AuditActor, claimedBy job: Int64? = nil,
        orUnclaimed: Bool = false, requestID: String? = nil, on db: PostgresConnection, logger: Logger
    ) async throws -> Set<SyncID> {
        let recorded = try await syncs.record(organization, changes, actor: actor, claimedBy: job, orUnclaimed: orUnclaimed, on: db, logger: logger)
        let outcomes = Dictionary(changes.map { ($0.sync, $0.outcome) }, uniquingKeysWith: { $1 })
        let entries = recorded.compactMap { change in
            outcomes[change.sync].map { outcome in
                AuditLogRepository.Entry(
                    action: "sync.status_changed", targetType: "sync", targetID: change.sync.description,
                    details: [
                        "person_id": change.person.description, "connection_id": change.connection.description,
                        "from": change.from?.rawValue ?? "", "to": outcome.status.rawValue, "cause": outcome.cause.rawValue,
                    ])
            }
        }
        try await audit.append(entries, organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
        return Set(recorded.map(\.sync))
    }
}
