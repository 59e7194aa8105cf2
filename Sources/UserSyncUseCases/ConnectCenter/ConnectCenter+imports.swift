import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

extension ConnectCenter {
    /// Asks for an import of the connection. The run and its job are written in one transaction.
    /// When the connection already has an active run, that run is returned (`created` false).
    public func requestImport(
        _ id: ConnectionID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> (run: ImportRun, created: Bool) {
        try await database.withTenant(organization, logger: logger) { db in
            let connection = try await connections.get(organization, id, forUpdate: true, on: db, logger: logger)
            guard !connection.isDisconnected else {
                throw DomainError.conflict(
                    code: "connection_disconnected", message: "This connection is disconnected: update it with credentials to reconnect it first.")
            }
            if let active = try await runs.active(organization, connection: id, on: db, logger: logger) { return (active, false) }
            if connection.platform.importsSelectedTeams,
                try await teams.list(organization, connection: id, selectedOnly: true, on: db, logger: logger).isEmpty
            {
                throw DomainError.conflict(code: "no_teams_selected", message: Self.noTeamsMessage)
            }
            let draft = ImportRun(
                id: .random(), organizationID: organization, connectionID: id, state: .queued, phase: nil, counts: .init(),
                failureCause: nil, failureMessage: nil, waitingUntil: nil, lastError: nil, attempts: 0, jobID: nil,
                requestedBy: actor.label, createdAt: now(), startedAt: nil, finishedAt: nil)
            guard var run = try await runs.create(draft, on: db, logger: logger) else {
                // Another request created one a moment ago.
                return (try await runs.active(organization, connection: id, on: db, logger: logger)!, false)
            }
            let job = try NewJob(kind: DirectoryJobs.runImport, payload: ImportJobPayload(importRunID: run.id), maxAttempts: 8)
            run.jobID = try await JobQueue.enqueue(job, organization: organization, on: db, logger: logger)
            try await runs.setJob(organization, run.id, job: run.jobID, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "import.requested", targetType: "import", targetID: run.id.description,
                    details: ["connection_id": id.description]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return (run, true)
        }
    }

    public func importRun(_ id: ImportRunID, organization: OrganizationID, logger: Logger) async throws -> ImportRun {
        try await database.withTenant(organization, logger: logger) { db in
            try await runs.get(organization, id, on: db, logger: logger)
        }
    }

    /// A connection's import runs, newest first.
    public func importRuns(
        _ id: ConnectionID, organization: OrganizationID, before: ImportRunID?, limit: Int, logger: Logger
    ) async throws -> [ImportRun] {
        try await database.withTenant(organization, logger: logger) { db in
            _ = try await connections.get(organization, id, on: db, logger: logger)
            return try await runs.list(organization, connection: id, before: before, limit: limit, on: db, logger: logger)
        }
    }
}
