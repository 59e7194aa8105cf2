import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// Writes a sync's status change, its history row and its audit entry together.
struct SyncRecorder: Sendable {
    let syncs = SyncRepository()
    let audit = AuditLogRepository()

    @discardableResult
    func record(
        _ sync: Sync, _ outcome: SyncOutcome, actor: AuditActor, changes: SyncRepository.Changes = .init(), requestID: String? = nil,
        on db: PostgresConnection, logger: Logger
    ) async throws -> Sync {
        let updated = try await syncs.record(sync.organizationID, sync.id, outcome: outcome, actor: actor, changes: changes, on: db, logger: logger)
        try await audit.append(
            .init(action: "sync.status_changed", targetType: "sync", targetID: sync.id.description, details: [
                "person_id": sync.personID.description, "connection_id": sync.connectionID.description,
                "from": sync.status.rawValue, "to": outcome.status.rawValue, "cause": outcome.cause,
            ]),
            organization: sync.organizationID, actor: actor, requestID: requestID, on: db, logger: logger)
        return updated
    }

    func record(
        _ sync: Sync, _ outcome: SyncOutcome, actor: AuditActor, changes: SyncRepository.Changes = .init(), database: Database,
        logger: Logger
    ) async throws {
        try await database.withTenant(sync.organizationID, logger: logger) { db in
            _ = try await record(sync, outcome, actor: actor, changes: changes, on: db, logger: logger)
        }
    }
}
