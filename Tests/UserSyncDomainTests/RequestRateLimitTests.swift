import Foundation
import Testing
import UserSyncDomain

@Suite("A credential's request budget")
struct RequestRateLimitTests {
    let limit = RequestRateLimit(perSecond: 2, burst: 3)
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test("a burst is allowed at once, then requests wait for the refill")
    func burstThenRefill() {
        var bucket = RequestRateLimit.Bucket(limit, at: start)
        for _ in 0..<3 { #expect(bucket.take(limit, at: start) == nil) }
        #expect(bucket.take(limit, at: start) == 0.5, "one token refills in half a second at 2/s")
        #expect(bucket.take(limit, at: start.addingTimeInterval(0.25)) == 0.25)
        #expect(bucket.take(limit, at: start.addingTimeInterval(0.5)) == nil)
        #expect(bucket.take(limit, at: start.addingTimeInterval(0.5)) == 0.5)
    }

    @Test("an idle credential's bucket fills up to the burst, never beyond")
    func refillIsCapped() {
        var bucket = RequestRateLimit.Bucket(limit, at: start)
        for _ in 0..<3 { _ = bucket.take(limit, at: start) }
        #expect(!bucket.isFull(limit, at: start.addingTimeInterval(1)))
        #expect(bucket.isFull(limit, at: start.addingTimeInterval(1.5)))
        let later = start.addingTimeInterval(3_600)
        for _ in 0..<3 { #expect(bucket.take(limit, at: later) == nil) }
        #expect(bucket.take(limit, at: later) != nil)
    }

    @Test("a clock that steps back refills nothing and refuses nothing already allowed")
    func clockStepsBack() {
        var bucket = RequestRateLimit.Bucket(limit, at: start)
        for _ in 0..<3 { _ = bucket.take(limit, at: start) }
        #expect(bucket.take(limit, at: start.addingTimeInterval(-10)) == 0.5)
        #expect(bucket.take(limit, at: start.addingTimeInterval(0.5)) == nil)
    }
}
