import Logging
import UserSyncJobs
import UserSyncPersistence

extension JobProcessor {
    // MARK: Claiming

    private var occupied: Int { state.withLock { $0.occupied } }

    /// Slots free for more jobs.
    var free: Int { settings.concurrency - occupied }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private var refillThreshold: Int { max(1, min(settings.batchSize, settings.concurrency / 2)) }

    func claimLoop(jobs: inout DiscardingTaskGroup) async {
        var wakeups = wake.makeAsyncIterator()
        var backlog = false
        // The last claim passed over due jobs (held by another transaction, or beyond a share):
        // claim again without waiting for a sign, at once if it took some, else after a pause
        // that doubles up to the poll interval (a row held for long is not claimed in a busy loop).
        var passedOver = false
        var pause: Duration?
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
                while free < refillThreshold && occupied > 0, ContinuousClock.now < deadline {
                    await idle(&wakeups, upTo: deadline - ContinuousClock.now)
                }
            }
            let hints = state.withLock { $0.hints != $0.hintsClaimed ? $0.hints : nil }
            guard backlog || passedOver || hints != nil else {
                await idle(&wakeups)
                continue
            }
            let limit = min(free, settings.batchSize)
            let claim: Claim
            state.withLock { state in
                state.claims += 1
                if let hints { state.hintsClaimed = hints }
            }
            do {
                claim = try await queue.claim(
                    worker: workerID, limit: limit, perOrganization: settings.perOrganizationClaim,
                    lease: settings.lease, logger: logger)
            } catch {
                (backlog, passedOver) = (false, false)
                logger.error("claiming jobs failed; retrying after the poll interval", metadata: ["error": "\(describeFailure(error))"])
                await idle(&wakeups)
                continue
            }
            let claimed = claim.jobs
            // A full claim: the queue may hold more than this lane can take, and the other lanes
            // join in.
            if claimed.count == limit && !backlog { group?.backlogFound(by: self) }
            backlog = claimed.count == limit
            passedOver = claim.passedOver && !backlog
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
            if claimed.isEmpty && passedOver {
                let next = pause.map { min($0 * 2, settings.pollInterval) } ?? .milliseconds(1)
                pause = next
                await idle(&wakeups, upTo: next)
            } else {
                pause = nil
                if claimed.isEmpty { await idle(&wakeups) }
            }
        }
    }

    /// Waits for a notification, a finished job or the poll interval, whichever comes first.
    private func idle(_ wakeups: inout AsyncStream<Void>.Iterator, upTo limit: Duration? = nil) async {
        let poll = limit ?? settings.pollInterval
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only a sleep that ran its course wakes the loop: a cancelled one (another wake-up
                // came first) must not leave a spurious wake-up behind, or the loop would spin.
                // A poll interval that passed is a sign of due jobs (a snooze ran out); the wait
                // of a backlog for its slots is not.
                guard (try? await Task.sleep(for: poll)) != nil else { return }
                if limit == nil { self.hint() } else { self.wakeContinuation.yield() }
            }
            _ = await wakeups.next()
            group.cancelAll()
        }
    }

    /// After claiming stops: wait for running jobs up to the grace period, then cancel the rest,
    /// give their handlers a moment to stop, and release them (so no other worker starts a job
    /// this one is still writing for).
    func drain(jobs: inout DiscardingTaskGroup) async {
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
            logger.error(
                "releasing jobs failed; their leases will expire and the reaper will re-queue them", metadata: ["error": "\(describeFailure(error))"])
        }
    }
}
