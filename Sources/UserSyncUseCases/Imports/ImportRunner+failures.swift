import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// How an import run ends when it fails: waits out a rate limit, records a passing error for the
/// retry, or fails the run with the cause an admin or nobody can fix.
extension ImportRunner {
    func handle(_ failure: PlatformFailure, run: ImportRun, connection: PlatformConnection, logger: Logger) async throws -> JobOutcome {
        let organization = run.organizationID
        switch failure.fixer {
        case .retry:
            if failure.cause == .rateLimited {
                // A rate limit never spends an attempt, whether or not the platform said how long.
                let until = failure.retryAt ?? settings.now().addingTimeInterval(settings.rateLimitWait.seconds)
                try await database.withTenant(organization, logger: logger) { db in
                    try await runs.wait(organization, run.id, until: until, reason: failure.description, on: db, logger: logger)
                }
                return .snooze(until: until, reason: failure.description)
            }
            try await database.withTenant(organization, logger: logger) { db in
                try await runs.recordError(organization, run.id, failure.description, on: db, logger: logger)
            }
            throw failure
        case .admin:
            try await database.withTenant(organization, logger: logger) { db in
                try await health.markNeedsAttention(failure, connection: connection.id, organization: organization, on: db, logger: logger)
                try await runs.finish(
                    organization, run.id, state: .failed, cause: failure.cause.rawValue,
                    message: ConnectionHealthRecorder.message(failure), on: db, logger: logger)
            }
            throw PermanentJobFailure(failure.description)
        case .nobody, .user:
            try await fail(run, cause: failure.cause.rawValue, message: ConnectionHealthRecorder.message(failure), logger: logger)
            throw PermanentJobFailure(failure.description)
        }
    }

    func fail(_ run: ImportRun, cause: String, message: String, logger: Logger) async throws {
        try await database.withTenant(run.organizationID, logger: logger) { db in
            try await runs.finish(run.organizationID, run.id, state: .failed, cause: cause, message: message, on: db, logger: logger)
            try await audit.append(
                .init(action: "import.failed", targetType: "import", targetID: run.id.description, details: ["cause": cause, "message": message]),
                organization: run.organizationID, actor: .system, requestID: nil, on: db, logger: logger)
        }
    }

    /// The job died (its last attempt failed): the run says why.
    func died(_ job: DeadJob, logger: Logger) async {
        guard let payload = try? JSONDecoder().decode(ImportJobPayload.self, from: Data(job.payload.utf8)) else { return }
        do {
            let run = try await database.withTenant(job.organizationID, logger: logger) { db in
                try await runs.get(job.organizationID, payload.importRunID, on: db, logger: logger)
            }
            guard run.state.isActive else { return }
            try await fail(
                run, cause: "import_failed",
                message: "The import gave up after \(job.attempts) attempts. Last error: \(job.error)", logger: logger)
        } catch {
            logger.error("recording a dead import failed", metadata: ["error": "\(error)"])
        }
    }
}
