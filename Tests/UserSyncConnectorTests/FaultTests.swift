import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@testable import UserSyncConnectors

@Suite("Rate limits, outages, revoked credentials and broken bodies")
struct FaultTests {
    @Test("a 429 in the middle of pagination is waited out and the listing completes", arguments: Platform.allCases)
    func rateLimitMidPagination(platform: Platform) async throws {
        var settings = SimulatedPlatforms.testSettings
        for platform in Platform.allCases { settings.pageSize[platform] = 200 }
        try await SimulatedPlatforms.run(settings: settings) { platforms in
            let summary = platforms.simulator.createOrganization(name: "acme", seed: 9, size: 4_000)
            platforms.simulator.addFault(
                FaultRule(
                    platform: platform, endpoint: usersEndpoint[platform], kind: .rateLimit, every: 2, times: 2, retryAfter: 1))
            let started = ContinuousClock.now
            let accounts = try await platforms.connector(platform, organization: "acme").users().collect()
            #expect(accounts.count == summary.counts[platform.rawValue]!.listed)
            #expect(Set(accounts.map(\.platformUserID)).count == accounts.count)
            #expect(platforms.simulator.calls(platform, usersEndpoint[platform]!, status: 429) == 2)
            #expect(ContinuousClock.now - started >= .seconds(2), "each Retry-After of 1 s was honoured")
        }
    }

    @Test("a Retry-After longer than the in-place limit surfaces as rate_limited with the time, for the job to snooze")
    func longRetryAfterSurfaces() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            platforms.simulator.addFault(FaultRule(platform: .slack, kind: .rateLimit, every: 1, retryAfter: 120))
            let failure = await expectFailure { _ = try await platforms.connector(.slack, organization: "acme").verifyCredentials() }
            #expect(failure?.cause == .rateLimited)
            #expect(failure?.fixer == .retry)
            let wait = failure?.retryAt?.timeIntervalSinceNow ?? 0
            #expect(wait > 100 && wait <= 121)
            #expect(platforms.simulator.calls(.slack, "auth.test") == 1, "no retry storm")
        }
    }

    @Test("Retry-After given as an HTTP date is honoured")
    func retryAfterDate() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            var rule = FaultRule(platform: .zoom, endpoint: "users", kind: .rateLimit, every: 1, times: 1, retryAfter: 1)
            rule.retryAfterAsDate = true
            platforms.simulator.addFault(rule)
            _ = try await platforms.connector(.zoom, organization: "acme").verifyCredentials()
            #expect(platforms.simulator.calls(.zoom, "users", status: 429) == 1)
            #expect(platforms.simulator.calls(.zoom, "users", status: 200) == 1)
        }
    }

    @Test("5xx answers are retried a bounded number of times", arguments: Platform.allCases)
    func serverErrorsRetried(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 300)
            let endpoint = usersEndpoint[platform]!
            platforms.simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .serverError, every: 1, times: 2, status: 503))
            _ = try await platforms.connector(platform, organization: "acme").users().collect()
            platforms.simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .serverError, every: 1, status: 500))
            let calls = platforms.simulator.calls(platform, endpoint)
            let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").users().collect() }
            #expect(failure?.cause == .platformUnavailable)
            #expect(failure?.fixer == .retry)
            #expect(platforms.simulator.calls(platform, endpoint) - calls == SimulatedPlatforms.testSettings.maxAttempts)
        }
    }

    @Test("revoked app credentials need the admin", arguments: Platform.allCases)
    func revokedCredentials(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            let connector = platforms.connector(platform, organization: "acme")
            _ = try await connector.verifyCredentials()
            #expect(platforms.simulator.revoke(organization: "acme", platform: platform))
            let failure = await expectFailure { _ = try await connector.verifyCredentials() }
            #expect(failure?.cause == .credentialsRejected)
            #expect(failure?.fixer == .admin)
            platforms.simulator.restore(organization: "acme", platform: platform)
            _ = try await connector.verifyCredentials()
        }
    }

    @Test("a token revoked mid-use is classified, not retried forever", arguments: Platform.allCases)
    func revokedTokenFault(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            platforms.simulator.addFault(FaultRule(platform: platform, endpoint: usersEndpoint[platform], kind: .revokedToken, every: 1))
            let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").users().collect() }
            #expect(failure?.cause == .credentialsRejected)
            #expect(platforms.simulator.calls(platform, usersEndpoint[platform]!) <= 2)
        }
    }

    @Test("malformed and truncated bodies become malformed_response, never a crash", arguments: Platform.allCases)
    func brokenBodies(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 300)
            for kind in [FaultRule.Kind.malformed, .truncated] {
                platforms.simulator.clearFaults()
                platforms.simulator.addFault(FaultRule(platform: platform, endpoint: usersEndpoint[platform], kind: kind, every: 1))
                let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").users().collect() }
                #expect(failure?.cause == .malformedResponse, "\(kind)")
            }
            // Once the platform recovers, the same listing works.
            platforms.simulator.clearFaults()
            _ = try await platforms.connector(platform, organization: "acme").users().collect()
        }
    }

    @Test("bad credentials at connect time are typed")
    func badCredentials() async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 20)
            let wrong: [ConnectionCredentials] = [
                .slack(.init(botToken: "xoxb-wrong")),
                .teams(
                    .init(tenantID: platforms.simulator.summary(organization: "acme")!.credentials.teams.tenantID, clientID: "x", clientSecret: "y")),
                .teams(.init(tenantID: "no-such-tenant", clientID: "x", clientSecret: "y")),
                .zoom(.init(accountID: "a", clientID: "b", clientSecret: "c")),
                .webex(.init(adminToken: "wrong")),
            ]
            for credentials in wrong {
                let connector = platforms.factory.connector(
                    for: .init(
                        key: UUID().uuidString, credentials: credentials, endpoints: .simulator(credentials.platform, base: platforms.baseURL)))
                let failure = await expectFailure { _ = try await connector.verifyCredentials() }
                #expect(failure?.cause == .credentialsRejected, "\(credentials.platform): \(String(describing: failure))")
                #expect(failure?.message.contains("wrong") == false, "no secret in the message")
            }
        }
    }

    @Test("a next link to another host is refused, so the token never leaves the platform", arguments: [Platform.teams, .webex])
    func foreignNextLink(platform: Platform) async throws {
        var configuration = SimulatorConfiguration()
        configuration.publicURL = "http://elsewhere.example:9"
        var settings = SimulatedPlatforms.testSettings
        settings.pageSize[platform] = 100
        try await SimulatedPlatforms.run(configuration, settings: settings) { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 1_000)
            let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").users().collect() }
            #expect(failure?.cause == .malformedResponse)
            #expect(failure?.message.contains("another host") == true)
        }
    }

    @Test("a platform slower than the request timeout is transient, retried a bounded number of times", arguments: Platform.allCases)
    func slowAnswersTimeOut(platform: Platform) async throws {
        var settings = SimulatedPlatforms.testSettings
        settings.requestTimeout = .milliseconds(300)
        let attempts = settings.maxAttempts
        try await SimulatedPlatforms.run(settings: settings) { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 50)
            let endpoint = usersEndpoint[platform]!
            platforms.simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .latency, every: 1, latencyMs: 1_500))
            let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").users().collect() }
            #expect(failure?.cause == .platformUnavailable, "\(String(describing: failure))")
            #expect(failure?.fixer == .retry)
            // At most one call per attempt (on a busy machine a timed-out call, or the app-token
            // request before it, may not even reach the simulator).
            let calls = platforms.simulator.calls(platform, endpoint)
            #expect(calls <= attempts, "bounded: no retry storm (\(calls) calls)")
        }
    }

    @Test("an unreachable platform is transient")
    func unreachable() async throws {
        let factory = ConnectorFactory(settings: SimulatedPlatforms.testSettings, logger: .init(label: "test"))
        let connector = factory.connector(
            for: .init(
                key: "x", credentials: .slack(.init(botToken: "xoxb-1")), endpoints: .simulator(.slack, base: "http://127.0.0.1:9")))
        let failure = await expectFailure { _ = try await connector.verifyCredentials() }
        #expect(failure?.cause == .platformUnavailable)
    }
}
