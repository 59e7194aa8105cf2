import UserSyncDomain
import UserSyncWorker

extension Bench {
    /// (e) A worker claims a job and dies; how long until it has run elsewhere.
    func recovery(lease: Duration) async throws -> Double {
        let org = try await organization()
        try await enqueue(1, for: org)
        _ = try await queue.claim(worker: "killed", limit: 1, perOrganization: 1, lease: lease, logger: logger)
        let killedAt = ContinuousClock.now
        var recoverySettings = settings
        recoverySettings.lease = lease
        let reaper = LeaseReaper(queue: queue, handlers: .builtIn, settings: recoverySettings, logger: logger)
        let seconds = try await withProcessor {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await reaper.run() }
                while try await unfinished() { try await Task.sleep(for: .milliseconds(50)) }
                group.cancelAll()
                return (ContinuousClock.now - killedAt).seconds
            }
        }
        try await clear()
        return seconds.rounded(to: 2)
    }
}
