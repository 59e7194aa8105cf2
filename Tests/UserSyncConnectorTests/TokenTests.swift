import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@testable import UserSyncConnectors

@Suite("App tokens and pacing")
struct TokenTests {
    @Test("concurrent callers share one token request", arguments: [Platform.teams, .zoom])
    func singleFlight(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 20)
            let connection = platforms.connection(platform, organization: "acme", key: "conn-1")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await platforms.factory.connector(for: connection).verifyCredentials() }
                }
                try await group.waitForAll()
            }
            #expect(platforms.simulator.calls(platform, "token") == 1)
        }
    }

    @Test("tokens are renewed before they expire")
    func renewal() async throws {
        let clock = ManualClock()
        var settings = SimulatedPlatforms.testSettings
        settings.tokenRefreshMargin = .seconds(120)
        settings.now = { clock.now() }
        try await SimulatedPlatforms.run(settings: settings) { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 20)
            let connector = platforms.connector(.teams, organization: "acme")
            _ = try await connector.verifyCredentials()
            clock.advance(by: 3_400)
            _ = try await connector.verifyCredentials()
            #expect(platforms.simulator.calls(.teams, "token") == 1, "still 199 s before expiry")
            clock.advance(by: 100)
            _ = try await connector.verifyCredentials()
            #expect(platforms.simulator.calls(.teams, "token") == 2, "renewed 99 s before expiry")
            #expect(platforms.simulator.calls(.teams, "organization", status: 401) == 0, "never sent an expired token")
        }
    }

    @Test("a token the platform expired is renewed once and the call goes through")
    func expiredAtThePlatform() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration()
        configuration.now = { clock.now() }
        try await SimulatedPlatforms.run(configuration) { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 20)
            let connector = platforms.connector(.zoom, organization: "acme")
            _ = try await connector.verifyCredentials()
            clock.advance(by: 4_000)  // the simulator now considers the cached token expired
            _ = try await connector.verifyCredentials()
            #expect(platforms.simulator.calls(.zoom, "users", status: 401) == 1)
            #expect(platforms.simulator.calls(.zoom, "token") == 2)
        }
    }

    @Test("rotated credentials get a fresh token cache")
    func rotation() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 20)
            var connection = platforms.connection(.zoom, organization: "acme", key: "conn")
            _ = try await platforms.factory.connector(for: connection).verifyCredentials()
            connection.credentials = .zoom(.init(accountID: "a", clientID: "rotated", clientSecret: "wrong"))
            let failure = await expectFailure { _ = try await platforms.factory.connector(for: connection).verifyCredentials() }
            #expect(failure?.cause == .credentialsRejected)
        }
    }

    @Test("the pacer spreads calls, a Retry-After holds every caller, and callers leave a pause spaced out")
    func pacing() async throws {
        let limiter = RateLimiter(pacing: .init(perSecond: 20, burst: 2))
        var waits: [Double] = []
        for _ in 0..<6 { waits.append(await limiter.reserve().seconds) }
        // Two from the burst at once, then one every 50 ms.
        #expect(waits[0] < 0.01 && waits[1] < 0.01)
        for index in 2..<6 { #expect(abs(waits[index] - 0.05 * Double(index - 1)) < 0.02, "\(waits)") }

        await limiter.pause(until: ContinuousClock().now + .seconds(2))
        let first = await limiter.reserve().seconds
        let second = await limiter.reserve().seconds
        let third = await limiter.reserve().seconds
        #expect(first > 1.9)
        #expect(second - first > 0.04 && third - second > 0.04, "not released all at once")

        // A pause longer than a caller waits in place is handed back instead of slept.
        let tooLong = try await limiter.acquire(limit: .seconds(1))
        #expect((tooLong?.seconds ?? 0) > 1.9)
    }

    @Test("credentials never print their secrets")
    func redaction() {
        let credentials = ConnectionCredentials.slack(.init(botToken: "xoxb-secret-value", clientSecret: "shh"))
        #expect(!"\(credentials)".contains("secret-value"))
        #expect(!String(reflecting: credentials).contains("secret-value"))
    }
}
