import UserSyncDomain

/// A fault the simulator injects into matching calls, set at startup or through the control API.
public struct FaultRule: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// HTTP 429 (Slack: its `ratelimited` body) with `Retry-After`.
        case rateLimit = "rate_limit"
        /// A 5xx with the platform's error body.
        case serverError = "server_error"
        /// Added latency before the normal answer.
        case latency
        /// The platform's answer to a revoked token.
        case revokedToken = "revoked_token"
        /// A body that is not JSON.
        case malformed
        /// The normal body cut short.
        case truncated
        /// A 307 to `location`, as a hijacked or misconfigured host would answer.
        case redirect
    }

    public var id: String?
    /// nil matches every platform.
    public var platform: Platform?
    /// The endpoint name (`users.list`, `users`, `people`, …); nil matches every endpoint.
    public var endpoint: String?
    public var kind: Kind
    /// Injects into every Nth matching call (1 = every call).
    public var every: Int?
    /// Injects into this fraction of matching calls instead.
    public var probability: Double?
    /// Stops after injecting this many times.
    public var times: Int?
    /// Seconds for `Retry-After` (rate limits); default 1.
    public var retryAfter: Double?
    /// Send `Retry-After` as an HTTP date instead of seconds.
    public var retryAfterAsDate: Bool?
    /// Status for server errors; default 503.
    public var status: Int?
    /// Milliseconds of added latency.
    public var latencyMs: Int?
    /// Where a redirect points.
    public var location: String?

    public var matched: Int? = 0
    public var injected: Int? = 0

    public init(
        platform: Platform? = nil, endpoint: String? = nil, kind: Kind, every: Int? = nil, probability: Double? = nil,
        times: Int? = nil, retryAfter: Double? = nil, status: Int? = nil, latencyMs: Int? = nil, location: String? = nil
    ) {
        self.location = location
        self.platform = platform
        self.endpoint = endpoint
        self.kind = kind
        self.every = every
        self.probability = probability
        self.times = times
        self.retryAfter = retryAfter
        self.status = status
        self.latencyMs = latencyMs
    }

    func matches(_ platform: Platform, _ endpoint: String) -> Bool {
        (self.platform == nil || self.platform == platform) && (self.endpoint == nil || self.endpoint == endpoint)
    }

    /// Counts a matching call and says whether to inject into it.
    mutating func fire(roll: Double) -> Bool {
        let count = (matched ?? 0) + 1
        matched = count
        if let times, (injected ?? 0) >= times { return false }
        let fires: Bool
        if let probability { fires = roll < probability } else { fires = count % max(1, every ?? 1) == 0 }
        if fires { injected = (injected ?? 0) + 1 }
        return fires
    }
}
