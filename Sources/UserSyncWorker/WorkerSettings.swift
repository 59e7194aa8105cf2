import Foundation
import UserSyncDomain

/// How a worker process runs jobs. Read from the environment by the CLI.
public struct WorkerSettings: Sendable {
    /// Jobs run at once by one worker process.
    public var concurrency = 16
    /// Of those, the jobs that hold a database connection at once (the queue's own statements
    /// aside): jobs mostly wait on platforms, and more busy PostgreSQL sessions than the host has
    /// cores only slow one another and the API beside them (docs/scaling.md).
    public var databaseConcurrency = 8
    /// Claim loops in one worker process, each with its share of the jobs and connections, on
    /// an event loop of its own (``lane(_:)``). With the executor takeover a task stays on the
    /// event loop it started on, and a pool's connections are made from there too: one claim
    /// loop kept a whole process on one core (docs/scaling.md).
    public var lanes = 1
    /// Jobs claimed per round trip.
    public var batchSize = 100
    /// A running job's lease; the worker extends it every third of this while the handler runs.
    public var lease: Duration = .seconds(20)
    /// How often an idle worker looks for due jobs when no notification arrives.
    public var pollInterval: Duration = .seconds(1)
    /// On SIGTERM, how long running jobs may take to finish before they are released.
    public var gracePeriod: Duration = .seconds(30)
    /// How often expired leases are reaped and queue depth is sampled.
    public var reaperInterval: Duration = .seconds(5)
    /// Succeeded and cancelled jobs are deleted this long after they finished.
    public var retention: Duration = .seconds(7 * 24 * 3600)
    /// How often retention runs.
    public var retentionInterval: Duration = .seconds(600)
    /// First retry delay; doubles per attempt up to `maxRetryDelay`, with jitter.
    public var retryBaseDelay: Duration = .seconds(2)
    public var maxRetryDelay: Duration = .seconds(3600)
    /// The wall clock retries and retention are reckoned from.
    public var now: @Sendable () -> Date = { Date() }

    public init() {}

    /// The settings of lane `index` of ``lanes``: its share of the jobs run at once and of those
    /// holding a connection, the shares adding up to the whole (a lane runs at least one of each).
    public func lane(_ index: Int) -> WorkerSettings {
        func share(_ total: Int) -> Int { max(1, Self.share(of: total, lanes: lanes, lane: index)) }
        var lane = self
        lane.concurrency = share(concurrency)
        lane.databaseConcurrency = min(share(databaseConcurrency), lane.concurrency)
        lane.lanes = 1
        return lane
    }

    /// Lane `index`'s part of `total` split between `lanes`: the parts differ by at most one and
    /// add up to `total`.
    public static func share(of total: Int, lanes: Int, lane index: Int) -> Int {
        total / lanes + (index < total % lanes ? 1 : 0)
    }

    /// The least share of a claim batch each organization with due jobs is offered; the batch is
    /// split equally between them (see `usersync_claim_due_jobs`), so one organization alone fills it.
    var perOrganizationClaim: Int { 1 }

    /// The delay before attempt `attempt + 1`: base·2^(attempt-1), capped, jittered to 50–100 %.
    func retryDelay(afterAttempt attempt: Int) -> Duration {
        Backoff(base: retryBaseDelay, cap: maxRetryDelay, jitter: .equal).delay(afterAttempt: attempt)
    }
}
