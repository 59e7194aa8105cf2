/// Paces one connection's calls (a token bucket) and holds every caller of that connection while
/// the platform has asked us to wait (`Retry-After`), so one 429 slows everyone down instead of
/// each caller discovering it separately.
actor RateLimiter {
    private let pacing: ConnectorSettings.Pacing
    private let clock = ContinuousClock()
    private var tokens: Double
    private var refilledAt: ContinuousClock.Instant
    private var pausedUntil: ContinuousClock.Instant?

    init(pacing: ConnectorSettings.Pacing) {
        self.pacing = pacing
        self.tokens = pacing.burst
        self.refilledAt = clock.now
    }

    /// Waits until this caller may send. Each caller reserves its own slot before sleeping, so
    /// waiters are spread out rather than released together.
    func acquire() async throws(PlatformFailureOrCancel) {
        let delay = reserve()
        guard delay > .zero else { return }
        do { try await Task.sleep(for: delay) } catch { throw .cancelled }
    }

    /// Holds every caller until `instant` (a platform's `Retry-After`).
    func pause(until instant: ContinuousClock.Instant) {
        if let pausedUntil, pausedUntil >= instant { return }
        pausedUntil = instant
    }

    private func reserve() -> Duration {
        let now = clock.now
        var wait = Duration.zero
        if let pausedUntil, pausedUntil > now { wait = pausedUntil - now }
        guard pacing.perSecond.isFinite else { return wait }
        let elapsed = now - refilledAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(pacing.burst, tokens + seconds * pacing.perSecond)
        refilledAt = now
        tokens -= 1
        if tokens < 0 { wait = max(wait, .seconds(-tokens / pacing.perSecond)) }
        return wait
    }
}

/// Cancellation while waiting for a slot; surfaces as a transient failure to the caller.
enum PlatformFailureOrCancel: Error { case cancelled }
