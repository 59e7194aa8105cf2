import Foundation
import Logging
import Metrics
import ServiceLifecycle
import UserSyncJobs
import UserSyncPersistence

/// Re-queues jobs whose worker died (expired leases), tells the owners of jobs that died that
/// way, and samples queue depth and the age of the oldest due job per kind.
public struct LeaseReaper: Service {
    let queue: JobQueue
    let handlers: JobHandlers
    let settings: WorkerSettings
    let logger: Logger
    let metrics = JobMetrics()

    public init(queue: JobQueue, handlers: JobHandlers, settings: WorkerSettings, logger: Logger) {
        self.queue = queue
        self.handlers = handlers
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await reapOnce()
            await sampleDepth()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.reaperInterval) } } catch { return }
        }
    }

    /// One pass; public for tests and operators.
    public func reapOnce() async {
        do {
            let (requeued, dead) = try await queue.reapExpiredLeases(logger: logger)
            if requeued > 0 { logger.notice("re-queued jobs whose worker stopped", metadata: ["jobs": "\(requeued)"]) }
            for job in dead {
                metrics.forKind(job.kind).dead.increment()
                await handlers.entries[job.kind]?.onDead(
                    DeadJob(
                        organizationID: job.organizationID, jobID: job.id, kind: job.kind, payload: job.payload,
                        error: job.lastError ?? "lease expired", attempts: job.attempts))
            }
        } catch {
            logger.error("reaping expired leases failed", metadata: ["error": "\(describeFailure(error))"])
        }
    }

    private func sampleDepth() async {
        guard let depth = try? await queue.depth(logger: logger) else { return }
        var seen = Set<String>()
        for (kind, queued, age) in depth {
            seen.insert(kind)
            Gauge(label: "usersync_jobs_queued", dimensions: [("kind", kind)]).record(queued)
            Gauge(label: "usersync_jobs_oldest_queued_age_seconds", dimensions: [("kind", kind)]).record(age)
        }
        for kind in handlers.kinds where !seen.contains(kind) {
            Gauge(label: "usersync_jobs_queued", dimensions: [("kind", kind)]).record(0)
            Gauge(label: "usersync_jobs_oldest_queued_age_seconds", dimensions: [("kind", kind)]).record(0)
        }
    }
}

/// Deletes succeeded and cancelled jobs after the retention period; dead jobs stay.
public struct JobRetention: Service {
    let queue: JobQueue
    let settings: WorkerSettings
    let logger: Logger

    public init(queue: JobQueue, settings: WorkerSettings, logger: Logger) {
        self.queue = queue
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await deleteOnce()
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.retentionInterval) } } catch { return }
        }
    }

    /// Deletes every finished job past retention, in bounded chunks; returns how many.
    public func deleteOnce() async -> Int {
        let cutoff = settings.now().addingTimeInterval(-Double(settings.retention.components.seconds))
        var total = 0
        do {
            while true {
                let deleted = try await queue.deleteFinished(before: cutoff, logger: logger)
                total += deleted
                if deleted < 5_000 || Task.isCancelled { break }
            }
        } catch {
            logger.error("deleting finished jobs failed", metadata: ["error": "\(describeFailure(error))"])
        }
        if total > 0 { logger.info("deleted finished jobs past retention", metadata: ["jobs": "\(total)"]) }
        return total
    }
}
