import Foundation
import Testing
import UserSyncDomain

@Suite struct RecentReadsTests {
    let readAt = Date(timeIntervalSince1970: 1_800_000_000)

    func reads() -> RecentReads<String, Int> {
        var reads = RecentReads<String, Int>(maxAge: .milliseconds(1_500))
        reads.store(7, for: "ada", readAt: readAt)
        return reads
    }

    @Test func aValueServesUntilItIsMaxAgeOld() {
        let reads = reads()
        #expect(reads.value(for: "ada", now: readAt) == 7)
        #expect(reads.value(for: "ada", now: readAt.addingTimeInterval(1.499)) == 7)
        #expect(reads.value(for: "ada", now: readAt.addingTimeInterval(1.5)) == nil, "exactly maxAge old: read again")
        #expect(reads.value(for: "ada", now: readAt.addingTimeInterval(60)) == nil)
    }

    @Test func aClockThatWentBackDoesNotServeAValueFromItsFuture() {
        #expect(reads().value(for: "ada", now: readAt.addingTimeInterval(-0.001)) == nil)
    }

    @Test func eachKeyHasItsOwnValueAndAReadReplacesTheOneBefore() {
        var reads = reads()
        #expect(reads.value(for: "grace", now: readAt) == nil)
        reads.store(8, for: "ada", readAt: readAt.addingTimeInterval(1))
        #expect(reads.value(for: "ada", now: readAt.addingTimeInterval(2)) == 8, "one second old, not two")
    }

    @Test func noAgeReusesNothing() {
        var reads = RecentReads<String, Int>(maxAge: .zero)
        reads.store(7, for: "ada", readAt: readAt)
        #expect(reads.value(for: "ada", now: readAt) == nil)
    }
}
