import Foundation
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@Suite("Platform requests go only where the operator allows")
struct OutboundTests {
    @Test("a stored connection whose host is no longer allowed sends nothing and needs its admin", arguments: Platform.allCases)
    func refusedAtUse(platform: Platform) async throws {
        var settings = SimulatedPlatforms.testSettings
        // The operator allows http (a simulator) but not the loopback address it listens on.
        settings.outbound = OutboundGuard(
            policy: OutboundHostPolicy(
                hosts: Dictionary(uniqueKeysWithValues: Platform.allCases.map { ($0, ["127.0.0.1"]) }), allowsInsecure: true))
        try await SimulatedPlatforms.run(settings: settings) { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 5)
            let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").verifyCredentials() }
            #expect(failure?.cause == .destinationRefused, "\(String(describing: failure))")
            #expect(failure?.fixer == .admin)
            #expect(failure?.message.contains("127.0.0.1 (loopback address)") == true, "\(String(describing: failure))")
            #expect(platforms.simulator.calls().values.reduce(0, +) == 0, "\(platforms.simulator.calls())")
        }
    }

    /// Verdicts on URLs are remembered per URL, platform and kind: asking again, or asking more
    /// than it remembers, never turns one verdict into another.
    @Test("a URL's verdict is the same every time, and only for its own platform and kind")
    func rememberedVerdicts() async {
        struct Public: HostResolver {
            func addresses(of host: String) async -> [IPAddress] { [IPAddress("203.0.113.7")!] }
        }
        let guarded = OutboundGuard(policy: OutboundHostPolicy(hosts: [.slack: ["slack.com"], .teams: ["graph.microsoft.com"]]), resolver: Public())
        for round in 0..<3 {
            #expect(await guarded.refusal(of: "https://slack.com/api/chat.postMessage", platform: .slack) == nil, "round \(round)")
            #expect(await guarded.refusal(of: "https://slack.com/api/chat.postMessage", platform: .teams) == .hostNotAllowed(host: "slack.com"))
            #expect(await guarded.refusal(of: "https://slack.com/api/x?cursor=1", platform: .slack, isRequest: true) == nil)
            #expect(await guarded.refusal(of: "https://slack.com/api/x?cursor=1", platform: .slack) == .malformed)
            #expect(await guarded.refusal(of: "http://slack.com/api/x", platform: .slack) == .insecure)
        }
        for index in 0..<2_500 {  // more than it remembers
            #expect(await guarded.refusal(of: "https://graph.microsoft.com/v1.0/users/\(index)", platform: .teams) == nil)
        }
        #expect(await guarded.refusal(of: "https://slack.com/api/chat.postMessage", platform: .teams) == .hostNotAllowed(host: "slack.com"))
    }

    @Test("a redirect from a platform is not followed", arguments: Platform.allCases)
    func redirectsAreNotFollowed(platform: Platform) async throws {
        try await SimulatedPlatforms.run { platforms in
            platforms.simulator.createOrganization(name: "acme", size: 5)
            let endpoint = usersEndpoint[platform]!
            // Back to the simulator itself under another name: following it would list the users.
            let elsewhere = platforms.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            platforms.simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .redirect, every: 1, location: elsewhere))
            let failure = await expectFailure { _ = try await platforms.connector(platform, organization: "acme").users().collect() }
            #expect(failure != nil && failure?.cause != .destinationRefused, "\(String(describing: failure))")
            #expect(platforms.simulator.calls(platform, endpoint) == 1)
            #expect(platforms.simulator.calls(platform, endpoint, status: 307) == 1)
        }
    }
}
