import Foundation
import Logging
import ServiceLifecycle
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The worker's Auto Sync clock: queues the Graph delta polls that are due (one job per Teams
/// connection), and the polls and runs a running job missed (a request that arrived just as it
/// finished).
/// Every worker process runs one; taking due polls skips rows another worker holds, and jobs
/// carry dedupe keys, so several workers never queue the same work twice.
public struct AutoSyncScheduler: Service {
    let database: Database
    let settings: AutoSyncSettings
    let logger: Logger
    let schedule = AutoSyncScheduleRepository()

    public init(database: Database, settings: AutoSyncSettings, logger: Logger) {
        self.database = database
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweepOnce()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.sweepInterval) } } catch { return }
        }
    }

    /// One pass; public for tests and operators. Returns the polls and runs it queued.
    @discardableResult
    public func sweepOnce() async -> (polls: Int, runs: Int) {
        do {
            return try await database.withQueueScope(logger: logger) { db in
                let polls =
                    try await schedule.takeDuePolls(interval: settings.pollInterval, on: db, logger: logger)
                    + schedule.missedPollRequests(settled: settings.sweepInterval, on: db, logger: logger)
                for (organization, connection) in polls {
                    _ = try await JobQueue.enqueue(AutoSyncJobs.pollJob(connection), organization: organization, on: db, logger: logger)
                }
                let runs = try await schedule.pendingRuns(settled: settings.sweepInterval, on: db, logger: logger)
                for (organization, policy) in runs {
                    _ = try await JobQueue.enqueue(
                        AutoSyncJobs.runJob(policy, trigger: .membershipChanged), organization: organization, on: db, logger: logger)
                }
                return (polls.count, runs.count)
            }
        } catch {
            if !Task.isCancelled { logger.error("scheduling Auto Sync work failed", metadata: ["error": "\(error)"]) }
            return (0, 0)
        }
    }
}
