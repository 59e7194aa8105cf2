import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncWorker

/// What a platform failure during a sync's work means for the sync and its job (Auto Heal):
/// time fixes it → the sync stays pending and shows when the job tries again; an admin fixes it →
/// the sync fails with the cause and the connection needs attention; nobody can → the sync fails
/// with the platform's words.
struct SyncFailures: Sendable {
    let database: Database
    let health: ConnectionHealthRecorder
    let settings: SyncSettings
    let recorder = SyncRecorder()

    /// Records `failure` on the sync (as it stood in `snapshot`) and says how the job goes on:
    /// a snooze, a retry (thrown), or done.
    func handle(
        _ failure: PlatformFailure, step: String, snapshot: SyncSnapshot, context: JobContext, failedConnection: ConnectionID
    ) async throws -> JobOutcome {
        let sync = snapshot.sync
        switch failure.fixer {
        case .retry:
            if failure.cause == .rateLimited, let until = failure.retryAt {
                try await recorder.record(
                    sync, .platformFailure(failure, during: step, retryAt: until), actor: .system, database: database, logger: context.logger)
                return .snooze(until: until, reason: failure.description)
            }
            guard context.attempt < context.maxAttempts else { throw failure }  // the dead hook says why
            let at = settings.retryAt(afterAttempt: context.attempt)
            try await recorder.record(
                sync, .platformFailure(failure, during: step, retryAt: at), actor: .system, database: database, logger: context.logger)
            throw RetryLater(at: at, failure.description)
        case .admin:
            await health.record(failure, connection: failedConnection, organization: sync.organizationID, logger: context.logger)
            try await recorder.record(sync, .platformFailure(failure, during: step), actor: .system, database: database, logger: context.logger)
            return .succeeded
        case .user, .nobody:
            try await recorder.record(sync, .platformFailure(failure, during: step), actor: .system, database: database, logger: context.logger)
            return .succeeded
        }
    }

    /// A job that will not run again: the sync fails with the last error (if it was still pending).
    func died(_ job: DeadJob, logger: Logger) async {
        guard let payload = try? JSONDecoder().decode(SyncJobPayload.self, from: Data(job.payload.utf8)) else { return }
        do {
            guard let snapshot = try await SyncSnapshot.load(job.organizationID, payload.syncID, database: database, logger: logger),
                  snapshot.sync.status == .pending
            else { return }
            try await recorder.record(
                snapshot.sync,
                SyncOutcome(
                    status: .failed, cause: "gave_up", message: "UserSync gave up after \(job.attempts) attempts. Last error: \(job.error)",
                    fixAction: "Retry the sync once the cause is resolved."),
                actor: .system, database: database, logger: logger)
        } catch {
            logger.error("recording a dead sync job failed", metadata: ["error": "\(error)"])
        }
    }
}
