import Foundation

/// How long to wait before trying again: the wait after attempt n is base·2^(n-1), capped, then
/// jittered so that many callers failing together do not retry together. One type for every
/// retry in the service: platform calls, jobs and syncs.
public struct Backoff: Sendable, Equatable {
    /// Where in `[0, ceiling]` a wait falls.
    public enum Jitter: Sendable, Equatable {
        /// Anywhere in `[0, ceiling]` ("full jitter"): for calls retried in place, where spreading
        /// matters more than waiting at least a while.
        case full
        /// In `[ceiling/2, ceiling]` ("equal jitter"): for work retried later, which should wait
        /// at least half the step.
        case equal
    }

    public var base: Duration
    public var cap: Duration
    public var jitter: Jitter

    public init(base: Duration, cap: Duration, jitter: Jitter) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The longest wait after attempt `attempt` (1 for the first): base·2^(attempt-1), at most `cap`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let doubled = base.seconds * pow(2, Double(min(max(0, attempt - 1), 62)))
        return .seconds(min(cap.seconds, doubled))
    }

    /// The wait after attempt `attempt`, with `random` in `[0, 1]` placing it within the jitter's range.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt).seconds
        let floor = jitter == .equal ? ceiling / 2 : 0
        return .seconds(floor + (ceiling - floor) * min(max(random, 0), 1))
    }

    /// The wait after attempt `attempt`, placed at random.
    public func delay(afterAttempt attempt: Int) -> Duration {
        delay(afterAttempt: attempt, random: Double.random(in: 0...1))
    }
}
