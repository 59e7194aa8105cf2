import Logging
import PostgresNIO
import UserSyncJobs
import UserSyncPersistence

extension JobProcessor {
    // MARK: Helpers

    /// Records successes in batches: one statement for everything that finished since the last.
    /// The only writer of successes, until `flush` finishes.
    func flushSuccesses() async {
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
            logger.error(
                "recording finished jobs failed; their leases will expire and they run again", metadata: ["error": "\(describeFailure(error))"])
        }
    }

    func extendLeases() async {
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
                logger.error("extending leases failed", metadata: ["error": "\(describeFailure(error))"])
            }
        }
    }

    /// Calls `notified` on every `NOTIFY` from an enqueuing transaction (the claim loop's
    /// ``hint()``, or a group's choice of lane), and once on (re)connecting for anything enqueued
    /// while not listening. If the listening connection fails, polling carries on and listening is
    /// retried.
    func listen(_ notified: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            do {
                try await queue.database.client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        notified()
                        for try await _ in notifications { notified() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for new jobs failed; polling until it works again", metadata: ["error": "\(describeFailure(error))"])
                try? await Task.sleep(for: settings.pollInterval)
            }
        }
    }
}
