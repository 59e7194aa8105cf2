/// Paces one connection's calls and holds every caller of that connection while the platform has
/// asked us to wait (`Retry-After`), so one 429 slows everyone down instead of each caller
/// discovering it separately.
///
/// Pacing is the generic cell rate algorithm: each call takes the next slot `1/perSecond` after
/// the previous one, with up to `burst` slots available at once. A pause moves the slots past its
/// end, so callers leave a pause spaced out rather than all together.
actor RateLimiter {
    private let interval: Duration
    private let tolerance: Duration
    private let clock = ContinuousClock()
    /// When the next slot is theoretically due.
    private var nextSlot: ContinuousClock.Instant
    private var pausedUntil: ContinuousClock.Instant?

    init(pacing: ConnectorSettings.Pacing) {
        if pacing.perSecond.isFinite && pacing.perSecond > 0 {
            interval = .seconds(1 / pacing.perSecond)
            tolerance = interval * max(0, (pacing.burst.isFinite ? pacing.burst : 1) - 1)
        } else {
            interval = .zero
            tolerance = .zero
        }
        nextSlot = clock.now
    }

    /// Reserves this caller's slot and says how long to wait for it.
    func reserve() -> Duration {
        let now = clock.now
        let slot = max(nextSlot, now)
        nextSlot = slot + interval
        var wait = max(.zero, (slot - tolerance) - now)
        if let pausedUntil, pausedUntil > now { wait = max(wait, pausedUntil - now) }
        return wait
    }

    /// Holds every caller until `instant` (a platform's `Retry-After`).
    func pause(until instant: ContinuousClock.Instant) {
        if let pausedUntil, pausedUntil >= instant { return }
        pausedUntil = instant
        nextSlot = max(nextSlot, instant + tolerance)
    }
}

extension RateLimiter {
    /// Waits for a slot, or returns how long the wait would be when it is longer than `limit`
    /// (a long `Retry-After` is the caller's to handle, not to sleep through).
    func acquire(limit: Duration) async throws(CancellationError) -> Duration? {
        let wait = reserve()
        guard wait > .zero else { return nil }
        guard wait <= limit else { return wait }
        do { try await Task.sleep(for: wait) } catch { throw CancellationError() }
        return nil
    }
}
