import ArgumentParser
import Foundation
import Hummingbird
import Logging
import UserSyncSimulator

/// `usersync-simulator`: the Slack, Microsoft Graph/Teams, Zoom and Webex simulator for tests,
/// benchmarks and the demo. Never part of a production deployment.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-simulator",
        abstract: "Serve simulated Slack, Microsoft Graph/Teams, Zoom and Webex APIs with seeded organizations.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8090
    @Option(name: .customLong("org"), help: "An organization to seed, as name[:seed[:size]]. Repeatable.")
    var organizations: [String] = ["demo:1:200"]
    @Option(help: "A JSON file with an array of fault rules active from startup.") var faults: String?
    @Option(help: "Answer OAuth authorize pages without a click: allow or deny.") var autoApprove: String?
    @Option(help: "Base URL for absolute links in responses (default: from the request's Host).") var publicURL: String?
    @Option(help: "Lifetime of app tokens, in seconds.") var appTokenLifetime = 3599
    @Option(help: "Lifetime of people's access tokens, in seconds.") var userTokenLifetime = 3600
    @Option(help: "Lifetime of cursors and page tokens, in seconds.") var cursorLifetime = 900.0
    @Option(help: "Log level.") var logLevel = "info"

    func run() async throws {
        var configuration = SimulatorConfiguration()
        configuration.publicURL = publicURL
        configuration.appTokenLifetime = appTokenLifetime
        configuration.userTokenLifetime = userTokenLifetime
        configuration.cursorLifetime = cursorLifetime
        if let autoApprove {
            guard let decision = OAuthDecision(rawValue: autoApprove) else {
                throw ValidationError("--auto-approve must be allow or deny, not \(autoApprove)")
            }
            configuration.autoApprove = decision
        }
        if let faults {
            guard let data = FileManager.default.contents(atPath: faults) else { throw ValidationError("cannot read \(faults)") }
            do { configuration.faults = try JSONDecoder().decode([FaultRule].self, from: data) } catch {
                throw ValidationError("\(faults) is not a JSON array of fault rules: \(error)")
            }
        }
        let seeds = try organizations.map(Self.parse)
        let simulator = PlatformSimulator(configuration: configuration)
        var logger = Logger(label: "usersync-simulator")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        for seed in seeds {
            let started = ContinuousClock.now
            let summary = simulator.createOrganization(name: seed.name, seed: seed.seed, size: seed.size)
            logger.info(
                "seeded organization",
                metadata: [
                    "organization": "\(summary.name)", "people": "\(summary.size)", "took": "\(ContinuousClock.now - started)",
                ])
        }
        logger.info("credentials: GET /_sim/orgs/<name>", metadata: ["address": "\(host):\(port)"])
        try await simulator.buildApplication(host: host, port: port, logger: logger).runService()
    }

    static func parse(_ text: String) throws -> (name: String, seed: UInt64, size: Int) {
        let parts = text.split(separator: ":").map(String.init)
        guard let name = parts.first, !name.isEmpty, parts.count <= 3 else {
            throw ValidationError("--org takes name[:seed[:size]], not \(text)")
        }
        let seed = parts.count > 1 ? UInt64(parts[1]) : 1
        let size = parts.count > 2 ? Int(parts[2]) : 200
        guard let seed, let size, (0...1_000_000).contains(size) else {
            throw ValidationError("--org \(text): seed must be a whole number and size 0…1000000")
        }
        return (name, seed, size)
    }
}
