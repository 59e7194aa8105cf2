import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// What a platform failure during a sync's work means for the sync (Auto Heal): time fixes it →
/// the sync stays pending and shows when it is tried again (until it has failed too often); an
/// admin fixes it → the sync fails with the cause and the connection needs attention; nobody
/// can → the sync fails with the platform's words.
struct SyncFailures: Sendable {
    let database: Database
    let settings: SyncSettings
    let recorder = SyncRecorder()

    /// The sync's new status after `failure` on its `attempts`-th try. A retry happens at
    /// `retryAt` unless the platform named its own time.
    func judge(_ failure: PlatformFailure, during step: String, attempts: Int, retryAt: @autoclosure () -> Date) -> SyncOutcome {
        guard failure.fixer == .retry else { return .platformFailure(failure, during: step) }
        // A rate limit never ends a sync: at the platform's time, or the backoff's when it named none.
        if failure.cause == .rateLimited { return .platformFailure(failure, during: step, retryAt: failure.retryAt ?? retryAt()) }
        guard attempts < settings.maxAttempts else { return .gaveUp(attempts: attempts, lastError: failure.description) }
        return .platformFailure(failure, during: step, retryAt: retryAt())
    }

    /// A batch job that will not run again: its syncs it left waiting for it fail with the last
    /// error. Those waiting for something else stay: a prompt that went out (awaiting consent),
    /// a retry scheduled by a later job.
    func died(_ job: DeadJob, logger: Logger) async {
        guard let payload = try? JSONDecoder().decode(SyncRunPayload.self, from: Data(job.payload.utf8)) else { return }
        do {
            try await database.withTenant(job.organizationID, logger: logger) { db in
                let now = settings.now()
                let abandoned = try await SyncRepository().get(job.organizationID, payload.syncIDs, on: db, logger: logger).filter {
                    $0.status == .pending && $0.cause != .awaitingUserConsent && ($0.nextRetryAt ?? now) <= now
                }
                try await recorder.record(
                    job.organizationID,
                    abandoned.map { .init(sync: $0.id, outcome: .gaveUp(attempts: job.attempts, lastError: job.error)) },
                    actor: .system, claimedBy: job.jobID, orUnclaimed: true, on: db, logger: logger)
            }
        } catch {
            logger.error("recording a dead sync job failed", metadata: ["error": "\(error)"])
        }
    }
}
