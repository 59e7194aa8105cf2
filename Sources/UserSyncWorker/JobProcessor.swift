import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UserSyncJobs

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
    struct Run: Hashable, Sendable {
        var key: JobKey
        var claim: UInt64
    }

    struct State: Sendable {
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
        /// Signs that the queue may hold due jobs this processor has not claimed: notifications,
        /// poll intervals, its own snoozes and retries; and how many of them the last claim
        /// covered. A slot freed by a finished job alone claims nothing: with no backlog and no
        /// new sign, the claim would find nothing (it did, twice a job, in the relay benchmark).
        var hints: UInt64 = 1
        var hintsClaimed: UInt64 = 0

        /// Slots taken: jobs running and successes not yet recorded.
        var occupied: Int { running.count + succeeded.count + recording.count }
    }

    let state = Mutex(State())
    let wake: AsyncStream<Void>
    let wakeContinuation: AsyncStream<Void>.Continuation
    let flush: AsyncStream<Void>
    let flushContinuation: AsyncStream<Void>.Continuation

    /// Where the claim loop starts (``WorkerSettings/lanes``).
    let eventLoop: (any EventLoop)?
    /// The lanes this processor is one of: they listen for notifications and learn of backlogs
    /// together. Nil for a processor alone.
    let group: JobProcessorGroup?

    /// A processor; as a lane of `group` (which must then run it), with its claim loop started on
    /// `eventLoop`.
    public init(
        queue: JobQueue, handlers: JobHandlers, settings: WorkerSettings, workerID: String? = nil, eventLoop: (any EventLoop)? = nil,
        group: JobProcessorGroup? = nil, logger: Logger
    ) {
        self.queue = queue
        self.eventLoop = eventLoop
        self.group = group
        self.handlers = handlers
        self.settings = settings
        self.workerID = workerID ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        var logger = logger
        logger[metadataKey: "worker"] = "\(self.workerID)"
        self.logger = logger
        (wake, wakeContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (flush, flushContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        group?.join(self)
    }

    /// The kinds this processor runs.
    public var kinds: [String] { handlers.kinds }

    /// Jobs running now (for tests and the shutdown path).
    public var runningCount: Int { state.withLock { $0.running.count } }

    /// Claim statements sent so far: an idle processor sends one per wake-up or poll interval.
    public var claimCount: Int { state.withLock { $0.claims } }

    public func run() async throws {
        // With the executor takeover a task resumes on the event loop that wakes it, and the tasks
        // it starts are queued there: from here on the claim loop and its jobs run on this lane's
        // loop, where its pool's connections answer. Without the takeover this changes nothing.
        if let eventLoop { try? await eventLoop.submit {}.get() }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { helpers in
                if self.group == nil { helpers.addTask { await self.listen { self.hint() } } }
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

    /// The queue may hold due jobs: the claim loop claims at its next wake-up.
    func hint() {
        state.withLock { $0.hints &+= 1 }
        wakeContinuation.yield()
    }

    /// Stops claiming; running jobs get the grace period.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakeContinuation.yield()
    }
}
