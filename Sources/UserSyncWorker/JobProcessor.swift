import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// Claims jobs and runs their handlers, at most `concurrency` at a time, holding a lease on each
/// while it runs. Idle, it waits for a `NOTIFY` from an enqueuing transaction, or the poll
/// interval. On graceful shutdown it stops claiming, lets running jobs finish within the grace
/// period, then gives the rest back to the queue without spending their attempts.
///
/// No transaction spans a handler: claiming, extending leases and recording outcomes are each
/// their own short statement.
public final class JobProcessor: Service, Sendable {
    public let workerID: String
    let queue: JobQueue
    let handlers: JobHandlers
    let settings: WorkerSettings
    let logger: Logger
    let metrics = JobMetrics()

    /// One run of a job here: the same job claimed again (after the reaper gave it back, or
    /// after a snooze) is another run.
    private struct Run: Hashable, Sendable {
        var key: JobKey
        var claim: UInt64
    }

    private struct State: Sendable {
        var running: [Run: ClaimedJob] = [:]
        /// The task running each run's handler, to cancel it when its lease is lost.
        var handlers: [Run: Task<Void, Never>] = [:]
        /// Runs given back (shutdown) or whose lease was lost: their outcome is not recorded.
        var released: Set<Run> = []
        var claimsMade: UInt64 = 0
        var stopping = false
        /// Successes waiting for the next batch to record them, and the batch being recorded.
        /// A job is not done until its success is recorded: until then it keeps its lease and its
        /// slot, so a slow write holds back claiming instead of leases lapsing behind it.
        var succeeded: [JobKey] = []
        var recording: Set<JobKey> = []
        var claims = 0

        /// Slots taken: jobs running and successes not yet recorded.
        var occupied: Int { running.count + succeeded.count + recording.count }
    }

    private let state = Mutex(State())
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let flush: AsyncStream<Void>
    private let flushContinuation: AsyncStream<Void>.Continuation

    public init(queue: JobQueue, handlers: JobHandlers, settings: WorkerSettings, workerID: String? = nil, logger: Logger) {
        self.queue = queue
        self.handlers = handlers
        self.settings = settings
        self.workerID = workerID ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        var logger = logger
        logger[metadataKey: "worker"] = "\(self.workerID)"
        self.logger = logger
        (wake, wakeContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (flush, flushContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The kinds this processor runs.
    public var kinds: [String] { handlers.kinds }

    /// Jobs running now (for tests and the shutdown path).
    public var runningCount: Int { state.withLock { $0.running.count } }

    private var occupied: Int { state.withLock { $0.occupied } }

    /// Claim statements sent so far: an idle processor sends one per wake-up or poll interval.
    public var claimCount: Int { state.withLock { $0.claims } }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { helpers in
                helpers.addTask { await self.listen() }
                helpers.addTask { await self.extendLeases() }
                async let recorded: Void = self.flushSuccesses()
                await withDiscardingTaskGroup { jobs in
                    await self.claimLoop(jobs: &jobs)
                    await self.drain(jobs: &jobs)
                }
                // Every job task has ended: the recording loop writes the last successes (their
                // leases still extended) and ends; then the helpers stop.
                self.flushContinuation.yield()
                self.flushContinuation.finish()
                await recorded
                helpers.cancelAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Stops claiming; running jobs get the grace period.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakeContinuation.yield()
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private var refillThreshold: Int { max(1, min(settings.batchSize, settings.concurrency / 2)) }

    // MARK: Claiming

    private func claimLoop(jobs: inout DiscardingTaskGroup) async {
        var wakeups = wake.makeAsyncIterator()
        var backlog = false
        while !stopping && !Task.isCancelled {
            let taken = occupied
            guard taken < settings.concurrency else {
                _ = await wakeups.next()  // a job finished or was recorded, or shutdown
                continue
            }
            // With a backlog, let slots free up (for at most 2 ms) so one claim fills many of them:
            // claiming per freed slot would spend a round trip per job.
            if backlog && taken > 0 {
                let deadline = ContinuousClock.now + .milliseconds(2)
                while settings.concurrency - occupied < refillThreshold && occupied > 0, ContinuousClock.now < deadline {
                    await idle(&wakeups, upTo: deadline - ContinuousClock.now)
                }
            }
            let free = settings.concurrency - occupied
            let claimed: [ClaimedJob]
            state.withLock { $0.claims += 1 }
            do {
                claimed = try await queue.claim(
                    worker: workerID, limit: min(free, settings.batchSize), perOrganization: settings.perOrganizationClaim,
                    lease: settings.lease, logger: logger)
            } catch {
                backlog = false
                logger.error("claiming jobs failed; retrying after the poll interval", metadata: ["error": "\(error)"])
                await idle(&wakeups)
                continue
            }
            backlog = claimed.count == min(free, settings.batchSize)
            let runs = state.withLock { state in
                claimed.map { job in
                    // An older run of the same job still here has its outcome behind it or lost its
                    // lease (the queue gave the job out again): either way it records nothing more.
                    for (run, _) in state.running where run.key == job.key {
                        state.released.insert(run)
                        state.handlers[run]?.cancel()
                    }
                    state.claimsMade += 1
                    let run = Run(key: job.key, claim: state.claimsMade)
                    state.running[run] = job
                    return (run, job)
                }
            }
            for (run, job) in runs {
                jobs.addTask {
                    let handler = Task { await self.execute(job, run) }
                    self.state.withLock { $0.handlers[run] = handler }
                    await withTaskCancellationHandler {
                        await handler.value
                    } onCancel: {
                        handler.cancel()
                    }
                    self.state.withLock { _ = $0.handlers.removeValue(forKey: run) }
                }
            }
            if claimed.isEmpty { await idle(&wakeups) }
        }
    }

    /// Waits for a notification, a finished job or the poll interval, whichever comes first.
    private func idle(_ wakeups: inout AsyncStream<Void>.Iterator, upTo limit: Duration? = nil) async {
        let poll = limit ?? settings.pollInterval
        let continuation = wakeContinuation
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only a sleep that ran its course wakes the loop: a cancelled one (another wake-up
                // came first) must not leave a spurious wake-up behind, or the loop would spin.
                guard (try? await Task.sleep(for: poll)) != nil else { return }
                continuation.yield()
            }
            _ = await wakeups.next()
            group.cancelAll()
        }
    }

    /// After claiming stops: wait for running jobs up to the grace period, then cancel the rest,
    /// give their handlers a moment to stop, and release them (so no other worker starts a job
    /// this one is still writing for).
    private func drain(jobs: inout DiscardingTaskGroup) async {
        let deadline = ContinuousClock.now + settings.gracePeriod
        while runningCount > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let leftover = state.withLock { state -> [JobKey] in
            state.released.formUnion(state.running.keys)
            return Array(Set(state.running.keys.map(\.key)))
        }
        guard !leftover.isEmpty else { return }
        logger.notice("grace period over; stopping running jobs and giving them back to the queue", metadata: ["jobs": "\(leftover.count)"])
        jobs.cancelAll()
        let stopped = ContinuousClock.now + .seconds(2)
        while runningCount > 0 && ContinuousClock.now < stopped {
            try? await Task.sleep(for: .milliseconds(10))
        }
        do { try await queue.release(leftover, worker: workerID, logger: logger) } catch {
            logger.error("releasing jobs failed; their leases will expire and the reaper will re-queue them", metadata: ["error": "\(error)"])
        }
    }

    /// Whether this run was given back or lost its lease: its outcome is not recorded.
    private func isReleased(_ run: Run) -> Bool { state.withLock { $0.released.contains(run) } }

    // MARK: Running a job

    private func execute(_ job: ClaimedJob, _ run: Run) async {
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
                }
            }
        } catch {
            if isReleased(run) { return }
            if let failure = error as? PermanentJobFailure {
                await die(job, error: failure.description, entry: entry, logger: jobLogger)
                return
            }
            let message = String(describing: error)
            guard job.attempts < job.maxAttempts else {
                await die(job, error: message, entry: entry, logger: jobLogger)
                return
            }
            let retryAt = (error as? RetryLater)?.at ?? settings.now().addingTimeInterval(settings.retryDelay(afterAttempt: job.attempts).seconds)
            jobLogger.info("job failed; will retry", metadata: ["error": "\(message)", "attempt": "\(job.attempts)", "retry_at": "\(retryAt)"])
            if (try? await record({ try await queue.fail(job.key, worker: workerID, error: message, retryAt: retryAt, logger: jobLogger) })) == true {
                kindMetrics.retried.increment()
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
            logger.error("recording a job outcome failed; the lease will expire and the job run again", metadata: ["error": "\(error)"])
            throw error
        }
    }

    // MARK: Helpers

    /// Records successes in batches: one statement for everything that finished since the last.
    /// The only writer of successes, until `flush` finishes.
    private func flushSuccesses() async {
        for await _ in flush {
            await flushPending()
        }
    }

    private func flushPending() async {
        let keys = state.withLock { state -> [JobKey] in
            defer { state.succeeded = [] }
            state.recording = Set(state.succeeded)
            return state.succeeded
        }
        guard !keys.isEmpty else { return }
        defer {
            state.withLock { $0.recording = [] }
            wakeContinuation.yield()  // the slots are free
        }
        do {
            let recorded = try await queue.succeed(keys, worker: workerID, logger: logger)
            if recorded < keys.count {
                logger.warning(
                    "finished jobs were no longer this worker's to record (their lease lapsed, or they were taken back); a lapsed one runs again",
                    metadata: ["jobs": "\(keys.count - recorded)"])
            }
        } catch {
            logger.error("recording finished jobs failed; their leases will expire and they run again", metadata: ["error": "\(error)"])
        }
    }

    private func extendLeases() async {
        let every = settings.lease / 3
        while !Task.isCancelled {
            do { try await Task.sleep(for: every) } catch { return }
            // The runs as they are now: a run claimed while the extension is under way is not
            // judged by it (its job's lease may have changed hands to it in the meantime).
            let (runs, unrecorded) = state.withLock { state in
                (state.running.keys.filter { !state.released.contains($0) }, state.recording.union(state.succeeded))
            }
            let keys = Array(Set(runs.map(\.key)).union(unrecorded))
            guard !keys.isEmpty else { continue }
            do {
                let held = try await queue.extendLeases(worker: workerID, ids: keys, lease: settings.lease, logger: logger)
                // A job whose lease is gone may already run elsewhere (the reaper gave it back):
                // its handler here is cancelled and its outcome not recorded.
                let lost = state.withLock { state -> [Run] in
                    let gone = Set(keys).subtracting(held).subtracting(state.succeeded)
                    let lost = runs.filter { gone.contains($0.key) && state.running[$0] != nil }
                    state.released.formUnion(lost)
                    for run in lost { state.handlers[run]?.cancel() }
                    return lost
                }
                if !lost.isEmpty { logger.warning("lost the lease on running jobs; cancelled them", metadata: ["jobs": "\(lost.count)"]) }
            } catch {
                logger.error("extending leases failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Wakes the claim loop on every `NOTIFY` from an enqueuing transaction. If the listening
    /// connection fails, polling carries on and listening is retried.
    private func listen() async {
        while !Task.isCancelled {
            do {
                try await queue.database.client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        self.wakeContinuation.yield()  // anything enqueued while not listening
                        for try await _ in notifications { self.wakeContinuation.yield() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for new jobs failed; polling until it works again", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: settings.pollInterval)
            }
        }
    }
}
