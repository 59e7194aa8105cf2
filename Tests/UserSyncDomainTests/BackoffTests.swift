import Testing
import UserSyncDomain

@Suite("Backoff: one rule for every retry")
struct BackoffTests {
    let backoff = Backoff(base: .seconds(2), cap: .seconds(60), jitter: .equal)

    @Test("the step doubles from the base and stops at the cap")
    func ceiling() {
        #expect([1, 2, 3, 4, 5, 6, 7].map { backoff.ceiling(afterAttempt: $0) } == [2, 4, 8, 16, 32, 60, 60].map { .seconds($0) })
        #expect(backoff.ceiling(afterAttempt: 0) == .seconds(2), "before any attempt: the base")
        #expect(backoff.ceiling(afterAttempt: 10_000) == .seconds(60), "no overflow however many attempts")
    }

    @Test("equal jitter waits at least half the step; full jitter anywhere up to it")
    func jitter() {
        #expect(backoff.delay(afterAttempt: 3, random: 0) == .seconds(4))
        #expect(backoff.delay(afterAttempt: 3, random: 1) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 3, random: 0.5) == .seconds(6))
        let full = Backoff(base: .milliseconds(500), cap: .seconds(20), jitter: .full)
        #expect(full.delay(afterAttempt: 2, random: 0) == .zero)
        #expect(full.delay(afterAttempt: 2, random: 1) == .seconds(1))
        #expect(full.delay(afterAttempt: 2, random: 7) == .seconds(1), "a random value out of range is clamped")
    }

    @Test("random waits stay within the range")
    func randomWaits() {
        for attempt in 1...8 {
            let delay = backoff.delay(afterAttempt: attempt), ceiling = backoff.ceiling(afterAttempt: attempt)
            #expect(delay >= ceiling / 2 && delay <= ceiling)
        }
    }
}
