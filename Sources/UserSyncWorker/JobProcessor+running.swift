import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

extension JobProcessor {
    // MARK: Running a job

    /// Whether this run was given back or lost its lease: its outcome is not recorded.
    private func isReleased(_ run: Run) -> Bool { state.withLock { $0.released.contains(run) } }

    func execute(_ job: ClaimedJob, _ run: Run) async {
        var jobLogger = logger
        jobLogger[metadataKey: "org_id"] = "\(job.organizationID)"
        jobLogger[metadataKey: "job_id"] = "\(job.id)"
        jobLogger[metadataKey: "job_kind"] = "\(job.kind)"
        let kindMetrics = metrics.forKind(job.kind)
        kindMetrics.started.increment()
        kindMetrics.startLatency.recordSeconds(max(0, job.startedAt.timeIntervalSince(job.dueAt)))
        let started = ContinuousClock.now
        defer {
            kindMetrics.runTime.recordSeconds((ContinuousClock.now - started).seconds)
            state.withLock { _ = $0.running.removeValue(forKey: run) }
            wakeContinuation.yield()
        }
        guard let entry = handlers.entries[job.kind] else {
            await die(job, error: "no handler for job kind \(job.kind)", entry: nil, logger: jobLogger)
            return
        }
        let context = JobContext(
            organizationID: job.organizationID, jobID: job.id, attempt: job.attempts, maxAttempts: job.maxAttempts, logger: jobLogger)
        do {
            let outcome = try await entry.run(job.payload, context)
            if isReleased(run) { return }
            switch outcome {
            case .succeeded:
                kindMetrics.succeeded.increment()
                state.withLock { $0.succeeded.append(job.key) }
                flushContinuation.yield()
            case .snooze(let until, let reason):
                if try await record({ try await queue.snooze(job.key, worker: workerID, until: until, reason: reason, logger: jobLogger) }) {
                    kindMetrics.snoozed.increment()
                    hint()  // it may be due at once (a job that yields the worker to others)
                }
            }
        } catch {
            if isReleased(run) { return }
            if let failure = error as? PermanentJobFailure {
                await die(job, error: failure.description, entry: entry, logger: jobLogger)
                return
            }
            let message = describeFailure(error)
            guard job.attempts < job.maxAttempts else {
                await die(job, error: message, entry: entry, logger: jobLogger)
                return
            }
            let retryAt = (error as? RetryLater)?.at ?? settings.now().addingTimeInterval(settings.retryDelay(afterAttempt: job.attempts).seconds)
            jobLogger.info("job failed; will retry", metadata: ["error": "\(message)", "attempt": "\(job.attempts)", "retry_at": "\(retryAt)"])
            if (try? await record({ try await queue.fail(job.key, worker: workerID, error: message, retryAt: retryAt, logger: jobLogger) })) == true {
                kindMetrics.retried.increment()
                hint()
            }
        }
    }

    private func die(_ job: ClaimedJob, error: String, entry: JobHandlers.Entry?, logger: Logger) async {
        logger.warning("job is dead", metadata: ["error": "\(error)", "attempts": "\(job.attempts)"])
        let recorded = (try? await record { try await queue.fail(job.key, worker: workerID, error: error, retryAt: nil, logger: logger) }) ?? false
        guard recorded else { return }
        metrics.forKind(job.kind).dead.increment()
        guard let entry else { return }
        await entry.onDead(
            DeadJob(
                organizationID: job.organizationID, jobID: job.id, kind: job.kind, payload: job.payload, error: error, attempts: job.attempts))
    }

    /// Records an outcome; a failure to record leaves the lease to expire and the reaper to
    /// re-queue the job (at least once).
    @discardableResult
    private func record(_ body: () async throws -> Bool) async throws -> Bool {
        do { return try await body() } catch {
            logger.error(
                "recording a job outcome failed; the lease will expire and the job run again", metadata: ["error": "\(describeFailure(error))"])
            throw error
        }
    }
}
