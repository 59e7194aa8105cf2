import Foundation

/// How many requests one credential (an API key, a SCIM token) may make: `perSecond` on
/// average, with bursts of up to `burst`. A token bucket: it holds up to `burst` tokens, refills
/// at `perSecond`, and each request takes one.
public struct RequestRateLimit: Sendable, Equatable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        precondition(perSecond > 0 && burst >= 1)
        self.perSecond = perSecond
        self.burst = burst
    }

    /// One credential's bucket.
    public struct Bucket: Sendable, Equatable {
        public private(set) var tokens: Double
        public private(set) var updatedAt: Date

        /// A full bucket.
        public init(_ limit: RequestRateLimit, at now: Date) {
            tokens = Double(limit.burst)
            updatedAt = now
        }

        /// Takes a token for a request at `now`: nil when there was one, else the seconds until
        /// there will be (what `Retry-After` says, rounded up by the caller).
        public mutating func take(_ limit: RequestRateLimit, at now: Date) -> TimeInterval? {
            refill(limit, at: now)
            guard tokens >= 1 else { return (1 - tokens) / limit.perSecond }
            tokens -= 1
            return nil
        }

        /// Whether the bucket would be full at `now`: an idle credential, whose bucket can be forgotten.
        public func isFull(_ limit: RequestRateLimit, at now: Date) -> Bool {
            tokens + max(0, now.timeIntervalSince(updatedAt)) * limit.perSecond >= Double(limit.burst)
        }

        private mutating func refill(_ limit: RequestRateLimit, at now: Date) {
            // A clock that steps back refills nothing.
            let elapsed = max(0, now.timeIntervalSince(updatedAt))
            tokens = min(Double(limit.burst), tokens + elapsed * limit.perSecond)
            updatedAt = max(updatedAt, now)
        }
    }
}
