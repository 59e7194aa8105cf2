import ArgumentParser
import Foundation
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// Lists a large simulated organization through every connector and prints users/s, pages/s and
/// memory as JSON. A program, not a test: it never fails on a number.
@main
struct ConnectorBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-connector-bench",
        abstract: "Measure connector listing throughput and memory against the platform simulator.")

    @Option(help: "People in the simulated organization.") var size = 100_000
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    struct Figures: Encodable {
        var platform: String
        var people: Int
        var users: Int
        var pages: Int
        var seconds: Double
        var usersPerSecond: Double
        var pagesPerSecond: Double
        var rssBeforeMiB: Double
        var peakRSSDuringListingMiB: Double
        var listingGrowthMiB: Double
    }

    struct Report: Encodable {
        var build: String
        var seedSeconds: [String: Double]
        var results: [Figures]
    }

    func run() async throws {
        let sizes = smoke ? [200, 2_000] : [size / 10, size]
        var settings = SimulatedPlatforms.testSettings
        settings.maxInlineRetryAfter = .seconds(30)
        let report = try await SimulatedPlatforms.run(settings: settings) { platforms in
            var results: [Figures] = []
            var seedSeconds: [String: Double] = [:]
            for people in sizes {
                let name = "bench\(people)"
                let started = ContinuousClock.now
                platforms.simulator.createOrganization(name: name, seed: 1, size: people)
                seedSeconds[String(people)] = (ContinuousClock.now - started).seconds
                for platform in Platform.allCases {
                    results.append(try await Self.measure(platform, organization: name, people: people, platforms: platforms))
                }
            }
            #if DEBUG
                let build = "debug"
            #else
                let build = "release"
            #endif
            return Report(build: build, seedSeconds: seedSeconds, results: results)
        }
        try BenchmarkSupport.print(report)
    }

    static func measure(_ platform: Platform, organization: String, people: Int, platforms: SimulatedPlatforms) async throws -> Figures {
        let connector = platforms.connector(platform, organization: organization)
        _ = try await connector.verifyCredentials()  // token fetched outside the timing
        let before = residentMiB()
        var peak = before
        var users = 0
        var pages = 0
        let started = ContinuousClock.now
        for try await page in connector.users() {
            users += page.count
            pages += 1
            peak = max(peak, residentMiB())
        }
        let seconds = (ContinuousClock.now - started).seconds
        return Figures(
            platform: platform.rawValue, people: people, users: users, pages: pages, seconds: round3(seconds),
            usersPerSecond: (Double(users) / seconds).rounded(), pagesPerSecond: round3(Double(pages) / seconds),
            rssBeforeMiB: round3(before), peakRSSDuringListingMiB: round3(peak), listingGrowthMiB: round3(peak - before))
    }

    /// Resident memory now, from /proc (Linux).
    static func residentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib / 1024
    }

    static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
