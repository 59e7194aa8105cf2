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
