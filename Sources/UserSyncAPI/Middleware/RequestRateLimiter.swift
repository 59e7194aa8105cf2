import Foundation
import Synchronization
import UserSyncDomain

/// The buckets of the credentials this process has served lately (``RequestRateLimit``). Each
/// API process keeps its own, so behind N processes a credential gets up to N times the limit:
/// the limit guards the service from a runaway client, not a contract, and costs no round trip.
final class RequestRateLimiter: Sendable {
    let limit: RequestRateLimit
    private let now: @Sendable () -> Date
    private let buckets = Mutex<[String: RequestRateLimit.Bucket]>([:])
    /// Past this many credentials, the idle ones (full buckets) are forgotten.
    static let pruneThreshold = 10_000

    init(limit: RequestRateLimit, now: @escaping @Sendable () -> Date = Date.init) {
        self.limit = limit
        self.now = now
    }

    /// Takes a request of `credential`: throws ``RateLimitExceeded`` when its bucket is empty.
    func admit(_ credential: String) throws(RateLimitExceeded) {
        let time = now()
        let wait = buckets.withLock { buckets -> TimeInterval? in
            if buckets.count >= Self.pruneThreshold {
                buckets = buckets.filter { !$0.value.isFull(limit, at: time) }
            }
            var bucket = buckets[credential] ?? RequestRateLimit.Bucket(limit, at: time)
            let wait = bucket.take(limit, at: time)
            buckets[credential] = bucket
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
