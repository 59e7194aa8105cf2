import Foundation
import Synchronization
import UserSyncDomain

/// The buckets of the credentials this process has served lately (``RequestRateLimit``). Each
/// API process keeps its own, so behind N processes a credential gets up to N times the limit:
/// the limit guards the service from a runaway client, not a contract, and costs no round trip.
final class RequestRateLimiter: Sendable {
    let limit: RequestRateLimit
    private let now: @Sendable () -> Date
    /// The buckets, and how many there may be before the idle ones (full buckets) are forgotten:
    /// at least `pruneThreshold`, and twice what a pruning kept, so that many busy credentials
    /// do not make every request scan them all.
    private let state = Mutex<(buckets: [String: RequestRateLimit.Bucket], pruneAt: Int)>(([:], pruneThreshold))
    static let pruneThreshold = 10_000

    init(limit: RequestRateLimit, now: @escaping @Sendable () -> Date = Date.init) {
        self.limit = limit
        self.now = now
    }

    /// Takes a request of `credential`: throws ``RateLimitExceeded`` when its bucket is empty.
    func admit(_ credential: String) throws(RateLimitExceeded) {
        let time = now()
        let wait = state.withLock { state -> TimeInterval? in
            if state.buckets.count >= state.pruneAt {
                state.buckets = state.buckets.filter { !$0.value.isFull(limit, at: time) }
                state.pruneAt = max(Self.pruneThreshold, state.buckets.count * 2)
            }
            var bucket = state.buckets[credential] ?? RequestRateLimit.Bucket(limit, at: time)
            let wait = bucket.take(limit, at: time)
            state.buckets[credential] = bucket
            return wait
        }
        if let wait { throw RateLimitExceeded(retryAfter: max(1, Int(wait.rounded(.up))), limit: limit) }
    }
}

/// A credential sent more requests than its limit allows: 429 with `Retry-After`.
struct RateLimitExceeded: Error {
    let retryAfter: Int
    let limit: RequestRateLimit

    var detail: String {
        "This credential sent more than \(limit.burst) requests at once or \(limit.perSecond == limit.perSecond.rounded() ? String(Int(limit.perSecond)) : String(limit.perSecond)) a second; "
            + "retry after \(retryAfter) s."
    }
}
