import Foundation
import UserSyncDomain

/// How connectors behave on the wire. Defaults suit the real platforms; tests and benchmarks
/// shorten waits and lift pacing.
public struct ConnectorSettings: Sendable {
    /// A request that has not completed in this time fails as `platformUnavailable`.
    public var requestTimeout: Duration = .seconds(30)
    /// Attempts per call, counting the first; retries only for retryable failures.
    public var maxAttempts: Int = 4
    /// First backoff step; later steps double up to `maxBackoff`; each wait is jittered.
    public var baseBackoff: Duration = .milliseconds(500)
    public var maxBackoff: Duration = .seconds(20)
    /// A `Retry-After` up to this long is waited out in place; a longer one fails the call as
    /// `rateLimited` with the time, so a job can snooze instead of holding a worker.
    public var maxInlineRetryAfter: Duration = .seconds(30)
    /// The wait used when a platform rate-limits without saying for how long.
    public var defaultRetryAfter: Duration = .seconds(15)
    /// App tokens are renewed this long before they expire.
    public var tokenRefreshMargin: Duration = .seconds(120)
    /// Responses larger than this fail as `malformedResponse` instead of exhausting memory.
    public var maxResponseBytes: Int = 64 << 20
    /// Where platform requests may go (the operator's allowlist and the internal-address check).
    public var outbound = OutboundGuard(policy: OutboundHostPolicy())
    /// Items requested per page. Webex's maximum is unconfirmed, so it is settable.
    public var pageSize: [Platform: Int] = [.slack: 200, .teams: 999, .zoom: 300, .webex: 1000]
    /// Calls per second and burst allowed per connection, before the platform has to say so.
    public var pacing: [Platform: Pacing] = [
        .slack: Pacing(perSecond: 2, burst: 20),
        .teams: Pacing(perSecond: 20, burst: 40),
        .zoom: Pacing(perSecond: 10, burst: 20),
        .webex: Pacing(perSecond: 10, burst: 20),
    ]
    /// OAuth scopes requested for people's own consent.
    public var consentScopes: [Platform: String] = [
        .slack: "chat:write,im:write,users:read",
        .teams: "offline_access User.Read Chat.ReadWrite",
        .zoom: "",
        .webex: "spark:all",
    ]

    /// The Entra directory roles (template ids, lower-case) that make an account an admin who may
    /// sign in to the console: Global Administrator and Teams Administrator by default.
    public var adminRoleTemplateIDs: Set<String> = [
        "62e90394-69f5-4237-9190-012177145e10", "69091246-20e8-4a56-aa4d-066075b2a7a8",
    ]

    public struct Pacing: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// No pacing: only the platform's own `Retry-After` slows calls down.
        public static let unlimited = Pacing(perSecond: .infinity, burst: .infinity)
    }

    /// The Bot Framework's OpenID metadata, whose `jwks_uri` names the keys that sign the
    /// activities the Teams bot receives (a simulator serves its own).
    public var botFrameworkOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    /// How far a signed event's timestamp (Slack, Zoom) may be from the receiving clock.
    public var eventReplayWindow: Duration = .seconds(300)
    /// How far a Bot Framework token's `exp` and `nbf` may be off the receiving clock (the Bot
    /// Framework SDKs allow five minutes of skew).
    public var botTokenLeeway: Duration = .seconds(300)
    /// The Graph resource a linked Teams person's chat messages are subscribed on (`{id}`: their
    /// user id) and how long each subscription is asked for (Graph allows chat message
    /// subscriptions an hour). ⚠️ Not confirmed in platform-apis.md, hence settings.
    public var teamsChatSubscriptionResource = "/users/{id}/chats/getAllMessages"
    public var teamsChatSubscriptionLifetime: TimeInterval = 55 * 60

    /// The clock app-token and user-token expiry is judged by; tests move it.
    public var now: @Sendable () -> Date = { Date() }

    public init() {}

    func pageSize(for platform: Platform) -> Int { pageSize[platform] ?? 100 }
}
