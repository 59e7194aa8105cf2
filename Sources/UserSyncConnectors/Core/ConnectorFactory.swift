import AsyncHTTPClient
import Logging
import Synchronization
import UserSyncDomain

/// Builds connectors for connections and keeps, per connection, what its calls must share: one
/// rate limiter (so a `Retry-After` holds every caller) and the app-token caches (so concurrent
/// callers share one renewal). One factory per process.
public final class ConnectorFactory: Sendable {
    /// What identifies a connection to the factory.
    public struct Connection: Sendable {
        /// A stable key: the connection id.
        public var key: String
        public var credentials: ConnectionCredentials
        public var endpoints: PlatformEndpoints

        public init(key: String, credentials: ConnectionCredentials, endpoints: PlatformEndpoints) {
            self.key = key
            self.credentials = credentials
            self.endpoints = endpoints
        }
    }

    final class Runtime: Sendable {
        let limiter: RateLimiter
        let tokens: AppTokenCache
        let botTokens: AppTokenCache
        let botIdentity = BotIdentity()
        let conversations = DirectConversations()

        init(platform: Platform, settings: ConnectorSettings) {
            limiter = RateLimiter(pacing: settings.pacing[platform] ?? .unlimited)
            tokens = AppTokenCache(platform: platform, margin: settings.tokenRefreshMargin, now: settings.now)
            botTokens = AppTokenCache(platform: platform, margin: settings.tokenRefreshMargin, now: settings.now)
        }
    }

    private struct RuntimeKey: Hashable {
        var connection: String
        var credentials: ConnectionCredentials
        var endpoints: String
    }

    public let settings: ConnectorSettings
    private let client: HTTPClient
    private let logger: Logger
    private let runtimes = Mutex<[RuntimeKey: Runtime]>([:])
    /// The Bot Framework's signing keys, shared by every Teams connection's event receiver.
    let botFramework: BotFrameworkAuthentication

    /// The HTTP client of platform requests: it never follows a redirect, so a platform (or
    /// anything answering in its name) cannot send a request with credentials to another host;
    /// a 3xx is a refusal like any other. It lives as long as the process, like `HTTPClient.shared`.
    public static let platformClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // The default of 8 connections per host would cap a worker's concurrent deliveries to one
        // platform (the relay benchmark measured it) well below its job concurrency.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(client: HTTPClient = platformClient, settings: ConnectorSettings = ConnectorSettings(), logger: Logger) {
        self.client = client
        self.settings = settings
        self.logger = logger
        botFramework = BotFrameworkAuthentication(
            metadataURL: settings.botFrameworkOpenIDURL, client: client, outbound: settings.outbound, logger: logger)
    }

    /// A connector for `connection` that logs its calls to `logger` (the caller's, so that a
    /// request's platform calls carry its request id), or to the factory's.
    public func connector(for connection: Connection, logger: Logger? = nil) -> any PlatformConnector {
        relayConnector(for: connection, logger: logger)
    }

    /// The same connector, with its relay half (posting, editing and deleting relayed messages).
    public func relayConnector(for connection: Connection, logger: Logger? = nil) -> any PlatformConnector & RelayConnector {
        let platform = connection.credentials.platform
        // Rotated credentials or moved endpoints get fresh token caches.
        let key = RuntimeKey(
            connection: connection.key, credentials: connection.credentials,
            endpoints: connection.endpoints.api + " " + connection.endpoints.auth)
        let runtime = runtimes.withLock { runtimes in
            if let existing = runtimes[key] { return existing }
            runtimes = runtimes.filter { $0.key.connection != connection.key }
            let created = Runtime(platform: platform, settings: settings)
            runtimes[key] = created
            return created
        }
        var logger = logger ?? self.logger
        logger[metadataKey: "platform"] = "\(platform.rawValue)"
        let http = PlatformHTTP(
            platform: platform, client: client, settings: settings, limiter: runtime.limiter,
            classify: Self.classifier(platform), logger: logger)
        switch connection.credentials {
        case .slack(let credentials):
            return SlackConnector(
                credentials: credentials, endpoints: connection.endpoints, http: http, settings: settings, botIdentity: runtime.botIdentity,
                conversations: runtime.conversations)
        case .teams(let credentials):
            return TeamsConnector(
                credentials: credentials, endpoints: connection.endpoints, http: http, settings: settings,
                graphTokens: runtime.tokens, botTokens: runtime.botTokens, conversations: runtime.conversations)
        case .zoom(let credentials):
            return ZoomConnector(
                credentials: credentials, endpoints: connection.endpoints, http: http, settings: settings,
                accountTokens: runtime.tokens, chatbotTokens: runtime.botTokens)
        case .webex(let credentials):
            return WebexConnector(
                credentials: credentials, endpoints: connection.endpoints, http: http, settings: settings, botIdentity: runtime.botIdentity)
        }
    }

    private static func classifier(_ platform: Platform) -> PlatformHTTP.Classify {
        switch platform {
        case .slack: SlackErrors.classify
        case .teams: GraphErrors.classify
        case .zoom: ZoomErrors.classify
        case .webex: WebexErrors.classify
        }
    }
}

extension ConnectionCredentials {
    public var platform: Platform {
        switch self {
        case .slack: .slack
        case .teams: .teams
        case .zoom: .zoom
        case .webex: .webex
        }
    }
}
