import Foundation
import UserSyncDomain

/// How syncs behave. Read from the environment by the CLI; tests shorten the waits.
public struct SyncSettings: Sendable {
    /// Where people reach the service: consent links are `<publicURL>/consent/<token>`, OAuth
    /// redirects `<publicURL>/oauth/<platform>/callback` (register it with each platform's app).
    public var publicURL: String
    /// How long a consent link works.
    public var consentLinkLifetime: Duration = .seconds(72 * 3600)
    /// How long a person has between opening a link and coming back from the platform.
    public var stateLifetime: Duration = .seconds(30 * 60)
    /// A person is prompted again at most this often, unless an admin forces it.
    public var repromptInterval: Duration = .seconds(3600)
    /// How often a person's own tokens are proven to still work.
    public var tokenCheckInterval: Duration = .seconds(24 * 3600)
    /// Tokens are refreshed this long before they expire.
    public var tokenRefreshMargin: Duration = .seconds(600)
    /// A failed platform call in a sync is retried after this, doubling per attempt up to `maxRetryDelay`.
    public var retryBaseDelay: Duration = .seconds(5)
    public var maxRetryDelay: Duration = .seconds(600)
    /// A sync tried this many times in a row without settling fails (`gave_up`) at its next
    /// failure that time might fix; rate-limited tries do not count, so a rate limit never ends it.
    public var maxAttempts = 8
    /// Platform calls one batch of syncs makes at once.
    public var batchConcurrency = 16
    /// How long a batch's claim on its syncs holds if its worker dies without letting go (the
    /// same job, run again, takes them back at once).
    public var claimLease: Duration = .seconds(15 * 60)
    /// Whether Entra groups followed by Auto Sync also get Graph change notifications, at
    /// `<publicURL>/events/graph/<organization id>` (which Graph must reach, over https).
    public var graphNotifications = false
    /// How cross-platform messages are relayed.
    public var relay = RelaySettings()
    /// The wall clock every sync rule reads (link and sign-in expiry, retries, leases, checks);
    /// tests move it instead of sleeping.
    public var now: @Sendable () -> Date = { Date() }

    public init(publicURL: String) {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    public func consentLink(_ token: String) -> String { "\(publicURL)/consent/\(token)" }

    public func callbackURL(_ platform: String) -> String { "\(publicURL)/oauth/\(platform)/callback" }

    /// When attempt `attempt` (1 for the first), which failed at `now`, is retried: exponential,
    /// jittered to 50–100 %.
    func retryAt(afterAttempt attempt: Int, from now: Date) -> Date {
        now.addingTimeInterval(Backoff(base: retryBaseDelay, cap: maxRetryDelay, jitter: .equal).delay(afterAttempt: attempt).seconds)
    }
}

extension Date {
    /// The next whole second (retries of a batch that fall in the same second share a job).
    var roundedUp: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
