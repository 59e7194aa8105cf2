import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator

/// A platform simulator running on a loopback port, with connectors pointed at it.
public struct SimulatedPlatforms: Sendable {
    public let simulator: PlatformSimulator
    /// `http://127.0.0.1:<port>`
    public let baseURL: String
    public let factory: ConnectorFactory

    /// Settings that keep tests quick: no pacing, short backoff, `Retry-After` waited in place up to 5 s.
    public static var testSettings: ConnectorSettings {
        var settings = ConnectorSettings()
        settings.requestTimeout = .seconds(10)
        settings.baseBackoff = .milliseconds(10)
        settings.maxBackoff = .milliseconds(100)
        settings.maxInlineRetryAfter = .seconds(5)
        for platform in Platform.allCases { settings.pacing[platform] = .unlimited }
        settings.outbound = OutboundGuard(policy: .unrestricted)
        return settings
    }

    /// What a `serve` or `work` process needs to reach a simulator on this machine: plain http
    /// and loopback addresses, which a real deployment refuses.
    public static let processEnvironment = [
        "USERSYNC_ALLOW_INSECURE_PLATFORM_URLS": "true", "USERSYNC_PLATFORM_HOSTS": "127.0.0.1",
        "USERSYNC_ALLOW_INTERNAL_PLATFORM_ADDRESSES": "true",
    ]

    /// Starts a simulator on an ephemeral port, runs `body`, and stops it.
    public static func run<T: Sendable>(
        _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
        settings: ConnectorSettings = testSettings,
        _ body: @Sendable (SimulatedPlatforms) async throws -> T
    ) async throws -> T {
        let simulator = PlatformSimulator(configuration: configuration)
        var logger = Logger(label: "simulator")
        logger.logLevel = .critical
        let port = PortBox()
        let app = Application(
            router: simulator.buildRouter(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "usersync-simulator"),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await serviceGroup.run() }
            let bound = try await port.wait()
            // Bot Framework activity tokens are signed by the simulator's published keys.
            var settings = settings
            settings.botFrameworkOpenIDURL = "http://127.0.0.1:\(bound)/botframework/v1/.well-known/openidconfiguration"
            var connectorLogger = Logger(label: "connectors")
            connectorLogger.logLevel = .error
            let platforms = SimulatedPlatforms(
                simulator: simulator, baseURL: "http://127.0.0.1:\(bound)",
                factory: ConnectorFactory(settings: settings, logger: connectorLogger))
            let result: Result<T, any Error>
            do { result = .success(try await body(platforms)) } catch { result = .failure(error) }
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// A connection to one simulated organization's platform, as an admin would configure it.
    public func connection(_ platform: Platform, organization: String, key: String = UUID().uuidString) -> ConnectorFactory.Connection {
        let summary = simulator.summary(organization: organization)!
        return ConnectorFactory.Connection(
            key: key, credentials: Self.credentials(platform, summary.credentials, baseURL: baseURL),
            endpoints: .simulator(platform, base: baseURL))
    }

    public func connector(_ platform: Platform, organization: String, key: String = UUID().uuidString) -> any PlatformConnector {
        factory.connector(for: connection(platform, organization: organization, key: key))
    }

    public static func credentials(_ platform: Platform, _ credentials: SimCredentials, baseURL: String) -> ConnectionCredentials {
        switch platform {
        case .slack:
            let c = credentials.slack
            return .slack(.init(botToken: c.botToken, clientID: c.clientID, clientSecret: c.clientSecret, signingSecret: c.signingSecret))
        case .teams:
            let c = credentials.teams
            return .teams(
                .init(
                    tenantID: c.tenantID, clientID: c.clientID, clientSecret: c.clientSecret, botAppID: c.botAppID, teamsAppID: c.teamsAppID,
                    botServiceURL: PlatformEndpoints.simulatorBotService(base: baseURL)))
        case .zoom:
            let c = credentials.zoom
            return .zoom(
                .init(
                    accountID: c.accountID, clientID: c.clientID, clientSecret: c.clientSecret, chatbotClientID: c.chatbotClientID,
                    chatbotClientSecret: c.chatbotClientSecret, robotJID: c.robotJID, webhookSecretToken: c.webhookSecretToken))
        case .webex:
            let c = credentials.webex
            return .webex(.init(adminToken: c.adminToken, botToken: c.botToken, clientID: c.clientID, clientSecret: c.clientSecret))
        }
    }
}

/// The port the server bound, handed from its start-up callback to the waiting test.
public final class PortBox: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    public init() {}

    public func set(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    public func wait() async throws -> Int {
        await withCheckedContinuation { continuation in
            let port: Int? = state.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}

/// A clock tests move by hand, for expiry that must not depend on how busy the machine is.
/// A stopped clock shows only what the test added to its start; a running one (for a whole
/// service, whose retries and leases must keep moving) shows the real time plus what was added.
public final class ManualClock: Sendable {
    private let start: Date
    private let running: Bool
    private let added = Mutex<TimeInterval>(0)

    public init(_ start: Date = Date(), running: Bool = false) {
        self.start = start
        self.running = running
    }

    public func now() -> Date { (running ? Date() : start).addingTimeInterval(added.withLock { $0 }) }

    public func advance(by seconds: TimeInterval) { added.withLock { $0 += seconds } }
}
