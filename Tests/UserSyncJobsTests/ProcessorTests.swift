import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncTesting

@testable import UserSyncWorker

@Suite("Workers: running, retrying, snoozing, dying, leases, shutdown, fairness")
struct ProcessorTests {
    static func counting(_ recorder: Recorder, work: Duration = .zero) -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register("count", payload: Numbered.self) { _, context in
            recorder.begin(context.jobID)
            if work > .zero { try await Task.sleep(for: work) }
            recorder.end(context.jobID)
            return .succeeded
        }
        return handlers
    }

    @Test("3 processors × 3,000 jobs: every job runs once, none twice at the same time, none lost")
    func everyJobRunsOnce() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            let ids = try await db.enqueue(try (0..<3_000).map { try NewJob(kind: "count", payload: Numbered(n: $0)) }, for: org)
            _ = try await withProcessors(db, count: 3, handlers: Self.counting(recorder)) { _ in
                // Generous: the whole suite runs in parallel on two busy cores.
                try await eventually(.seconds(180)) { try await db.count(state: .succeeded) == 3_000 }
            }
            #expect(recorder.runs.count == 3_000)
            #expect(Set(recorder.runs.keys) == Set(ids.compactMap { $0 }))
            #expect(recorder.runs.values.allSatisfy { $0 == 1 })
            #expect(recorder.overlaps == 0)
        }
    }

    @Test("a failing job retries with growing delays, stops at max attempts, keeps the error and tells its owner")
    func retriesThenDies() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var handlers = JobHandlers()
            handlers.register("flaky", payload: Numbered.self, onDead: { recorder.died($0) }) { _, context in
                recorder.begin(context.jobID)
                recorder.end(context.jobID)
                throw PlatformDown(attempt: context.attempt)
            }
            let id = try await db.enqueue([try NewJob(kind: "flaky", payload: Numbered(n: 1), maxAttempts: 4)], for: org)[0]!
            _ = try await withProcessors(db, handlers: handlers) { _ in
                try await eventually { try await db.job(id).state == .failed }
            }
            let job = try await db.job(id)
            #expect(job.attempts == 4)
            #expect(job.lastError?.contains("attempt 4") == true)
            #expect(recorder.runs[id] == 4)
            #expect(recorder.dead.map(\.jobID) == [id])
            #expect(recorder.dead.first?.error.contains("attempt 4") == true)
            // Delays double (100 ms base, jittered to 50–100 %): 50+, 100+, 200+ ms.
            let times = recorder.times(id)
            let gaps = zip(times.dropFirst(), times).map { $0.timeIntervalSince($1) }
            #expect(gaps.count == 3)
            for (index, gap) in gaps.enumerated() { #expect(gap >= 0.05 * pow(2, Double(index)) * 0.95, "\(gaps)") }
        }
    }

    struct PlatformDown: Error, CustomStringConvertible {
        var attempt: Int
        var description: String { "platform unavailable on attempt \(attempt)" }
    }

    @Test("a handler may choose when its failed attempt is retried")
    func retryAtAChosenTime() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var handlers = JobHandlers()
            handlers.register("chosen", payload: Numbered.self) { _, context in
                recorder.begin(context.jobID)
                recorder.end(context.jobID)
                if context.attempt == 1 { throw RetryLater(at: Date().addingTimeInterval(1.5), "not yet") }
                return .succeeded
            }
            let id = try await db.enqueue([try NewJob(kind: "chosen", payload: Numbered(n: 1))], for: org)[0]!
            _ = try await withProcessors(db, handlers: handlers) { _ in
                try await eventually { try await db.job(id).state == .succeeded }
            }
            let times = recorder.times(id)
            #expect(times.count == 2)
            if times.count == 2 { #expect(times[1].timeIntervalSince(times[0]) >= 1.4, "retried after the time the handler chose") }
            #expect(try await db.job(id).attempts == 2)
        }
    }

    @Test("snoozing does not spend attempts")
    func snooze() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var handlers = JobHandlers()
            handlers.register("limited", payload: Numbered.self) { _, context in
                recorder.begin(context.jobID)
                recorder.end(context.jobID)
                if (recorder.runs[context.jobID] ?? 0) <= 3 {
                    return .snooze(until: Date().addingTimeInterval(0.1), reason: "rate limited until later")
                }
                return .succeeded
            }
            let id = try await db.enqueue([try NewJob(kind: "limited", payload: Numbered(n: 1), maxAttempts: 1)], for: org)[0]!
            _ = try await withProcessors(db, handlers: handlers) { _ in
                try await eventually { try await db.job(id).state == .succeeded }
            }
            #expect(recorder.runs[id] == 4)
            #expect(try await db.job(id).attempts == 1, "three snoozes spent nothing, though max_attempts is 1")
        }
    }

    @Test("an unreadable payload or an unknown kind fails that job alone")
    func poison() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var handlers = Self.counting(recorder)
            handlers.register("typed", payload: Numbered.self, onDead: { recorder.died($0) }) { _, _ in .succeeded }
            let ids = try await db.enqueue(
                [
                    NewJob(kind: "typed", payload: #"{"n":"not a number"}"#),
                    NewJob(kind: "no.such.kind"),
                    try NewJob(kind: "count", payload: Numbered(n: 1)),
                    try NewJob(kind: "typed", payload: Numbered(n: 2)),
                ], for: org)
            _ = try await withProcessors(db, handlers: handlers) { _ in
                try await eventually {
                    let succeeded = try await db.count(state: .succeeded)
                    let failed = try await db.count(state: .failed)
                    return succeeded == 2 && failed == 2
                }
            }
            let poisoned = try await db.job(ids[0]!)
            #expect(poisoned.state == .failed && poisoned.attempts == 1)
            #expect(poisoned.lastError?.contains("payload") == true)
            #expect(try await db.job(ids[1]!).lastError?.contains("no handler") == true)
            #expect(recorder.dead.map(\.jobID) == [ids[0]!])
        }
    }

    @Test("a waiting processor does not spin: one claim per wake-up or poll, while jobs run or not")
    func idleDoesNotSpin() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var settings = quickSettings()
            settings.pollInterval = .milliseconds(200)
            _ = try await withProcessors(db, handlers: Self.counting(recorder, work: .seconds(3)), settings: settings) { processors in
                // A job that keeps a slot busy, and a wake-up (its NOTIFY) while the loop waits.
                let id = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: 1))], for: org)[0]!
                try await eventually { recorder.runs[id] == 1 }
                let before = processors[0].claimCount
                try await Task.sleep(for: .seconds(2))
                let claims = processors[0].claimCount - before
                // Two seconds of 200 ms polls is about ten claims; a spinning loop sends thousands.
                #expect(claims <= 20, "\(claims) claims in 2 s")
            }
        }
    }

    @Test("stopping lets short jobs finish and gives long ones back without spending an attempt")
    func gracefulStop() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            var handlers = JobHandlers()
            handlers.register("sleep", payload: Numbered.self) { payload, _ in
                try await Task.sleep(for: .milliseconds(payload.n))
                return .succeeded
            }
            let ids = try await db.enqueue(
                [try NewJob(kind: "sleep", payload: Numbered(n: 300)), try NewJob(kind: "sleep", payload: Numbered(n: 60_000))], for: org)
            var settings = quickSettings()
            settings.gracePeriod = .seconds(1)
            let stopping = try await withProcessors(db, handlers: handlers, settings: settings) { processors in
                try await eventually { processors[0].runningCount == 2 }
                return ContinuousClock.now
            }
            // The long job sleeps a minute: a stop that waited for it, not for the 1 s grace period, takes that long.
            #expect(ContinuousClock.now - stopping < .seconds(30))
            #expect(try await db.job(ids[0]!).state == .succeeded)
            let released = try await db.job(ids[1]!)
            #expect(released.state == .queued)
            #expect(released.attempts == 0, "a released job has not spent an attempt")
            #expect(released.leaseOwner == nil)
        }
    }

    @Test("an idle processor wakes on the enqueuing transaction's NOTIFY, not on its poll")
    func notifyWakesIdleProcessors() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let recorder = Recorder()
            var settings = quickSettings()
            settings.pollInterval = .seconds(120)  // longer than the test: only a notification wakes it
            _ = try await withProcessors(db, handlers: Self.counting(recorder), settings: settings) { processors in
                try await eventually { processors[0].claimCount >= 1 }
                try await Task.sleep(for: .seconds(1))  // idle, listening
                let one = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: 1))], for: org)[0]!
                try await eventually(.seconds(5)) { recorder.runs[one] == 1 }
                // A bulk enqueue is one transaction and one notification, and wakes it too.
                let many = try await db.enqueue(try (0..<50).map { try NewJob(kind: "count", payload: Numbered(n: $0)) }, for: org)
                try await eventually(.seconds(15)) { recorder.runs.count == 51 }
                #expect(Set(recorder.runs.keys).isSuperset(of: many.compactMap { $0 }))
            }
        }
    }

    @Test("retry delays double per attempt from the base, up to the cap, jittered within the upper half")
    func retryDelays() {
        var settings = quickSettings()
        settings.retryBaseDelay = .seconds(2)
        settings.maxRetryDelay = .seconds(60)
        for attempt in 1...10 {
            let ceiling = min(60, 2 * pow(2, Double(attempt - 1)))
            let samples = (0..<200).map { _ in settings.retryDelay(afterAttempt: attempt) }
            let seconds = samples.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            #expect(
                seconds.allSatisfy { $0 >= ceiling / 2 - 1e-9 && $0 <= ceiling + 1e-9 }, "attempt \(attempt): \(seconds.min()!)…\(seconds.max()!)")
            #expect(Set(samples).count > 100, "attempt \(attempt) is not jittered")
        }
    }

    @Test("one organization's 20,000-job backlog does not hold back another's single job")
    func fairness() async throws {
        try await withTestDatabase { db in
            let flood = try await db.organization()
            let quiet = try await db.organization()
            let recorder = Recorder()
            try await db.enqueue(try (0..<20_000).map { try NewJob(kind: "count", payload: Numbered(n: $0)) }, for: flood)
            _ = try await withProcessors(db, handlers: Self.counting(recorder, work: .milliseconds(2))) { _ in
                try await eventually { try await db.count(state: .succeeded) > 500 }
                let id = try await db.enqueue([try NewJob(kind: "count", payload: Numbered(n: -1))], for: quiet)[0]!
                try await eventually { try await db.job(id).state == .succeeded }
                let job = try await db.job(id)
                // Counted in jobs, not seconds: a busy machine stretches the wait, not the order. First come,
                // first served would start the 19,000-odd queued flood jobs first; fair claims, a handful
                // (those claimed while the quiet job's transaction had not committed yet).
                let overtaking = try await db.started(of: flood, after: job.createdAt, before: try #require(job.startedAt))
                #expect(overtaking < 1_000, "\(overtaking) of the flood's jobs started before the quiet job")
                #expect(try await db.count(state: .queued) > 10_000, "the flood was still queued")
            }
        }
    }
}
