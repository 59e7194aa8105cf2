import Foundation

/// Lifetimes and switches of a simulator instance.
public struct SimulatorConfiguration: Sendable {
    /// App tokens from client-credentials grants (Graph, Bot Framework, Zoom).
    public var appTokenLifetime: Int = 3599
    /// People's access tokens from consent; their refresh tokens do not expire.
    public var userTokenLifetime: Int = 3600
    /// Cursors, skip tokens and page tokens stop working after this many seconds.
    public var cursorLifetime: Double = 900
    /// Graph delta tokens (and the skip tokens of a delta round) stop working after this many
    /// seconds, answered with 410 Gone; Graph keeps directory tokens for 7 days.
    public var deltaTokenLifetime: Double = 7 * 24 * 3600
    /// At most this many `members@delta` entries per page of a Graph group delta round; a large
    /// group's members are split over pages. Changeable later with
    /// ``PlatformSimulator/setGraphDeltaPageSize(_:)``.
    public var graphDeltaPageSize = 100
    /// Authorization codes are single-use and expire after this many seconds.
    public var codeLifetime: Double = 600
    /// The base URL put into absolute links (Graph next links, Webex `Link`); by default taken
    /// from the request's Host.
    public var publicURL: String?
    /// How the OAuth authorize pages answer without a person clicking: `nil` shows the page.
    public var autoApprove: OAuthDecision?
    /// Faults active from startup.
    public var faults: [FaultRule] = []
    /// The one OpenID Connect client (the deployment's "Sign in with Slack/Microsoft" app) both
    /// sign-in providers know, whatever the simulated organizations.
    public var openIDClientID = "usersync-sign-in"
    public var openIDClientSecret = "usersync-sign-in-secret"

    /// Graph requires https notification URLs; the simulator takes http ones too (tests and the
    /// demo run UserSync on plain http) unless this is false.
    public var allowHTTPNotificationURLs = true

    /// How long a platform waits for UserSync to answer an event (Slack: 3 s); a later answer
    /// counts as a failure (`http_timeout`) and the event is sent again.
    public var eventDeadline: Double = 3
    /// How long a platform waits for the answer to its handshake (`url_verification`,
    /// `endpoint.url_validation`); nil: ``eventDeadline``.
    public var handshakeDeadline: Double?
    /// Seconds before each resend of an event that was not answered 2xx in time: one entry per
    /// retry (Slack retries up to 3 times; the platforms wait minutes, tests need less).
    public var eventRetryDelays: [Double] = [0.5, 1, 2]

    /// The clock expiry is judged by (tokens, codes, cursors); tests move it.
    public var now: @Sendable () -> Date = { Date() }

    public init() {}
}

public enum OAuthDecision: String, Sendable, Codable {
    case allow, deny
}
