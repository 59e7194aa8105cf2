import ArgumentParser
import Foundation
import UserSyncTestSupport

/// Measures the cross-platform message relay end to end through real `usersync serve` and
/// `usersync work` processes, with the simulator in this process, and prints figures as JSON.
/// Conversations pair a Slack-only person with a Teams-only person (each synced onto the other's
/// platform as a stand-in); each opens with one addressed message to the app's bot, then both
/// sides answer in its thread, spread over the conversations, in one phase per offered rate (0:
/// everything written at once). Per phase: messages written and delivered, duplicates and messages
/// delivered out of order (both must be 0), delivered per second, and the delivery latency from
/// the simulator's time of writing to the recipient's inbox (one clock), with the ledger's view of
/// where that time went, each process's CPU time and the worker's job counters. A phase ends once
/// the delivery jobs left behind have run, so the next starts with the worker idle. A program,
/// not a test; run it through `scripts/bench-relay`.
struct RelayBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usersync-relay-bench", abstract: "Measure cross-platform message delivery end to end.")

    @Option(help: "Conversations, each between a Slack person and a Teams person.") var conversations = 200
    @Option(help: "Messages each conversation exchanges per phase, after its opening message (both ways, alternating).")
    var messages = 50
    @Option(help: "Offered rates, messages per second over all conversations, one phase each; 0 writes a phase at once.")
    var rates = "500,0"
    @Option(help: "People in the simulated organization (0: enough for the conversations).") var people = 0
    @Option(help: "Jobs the worker runs at once.") var concurrency = 16
    @Option(help: "Seconds a phase waits for its deliveries after the last one arrived before reporting what is missing.")
    var stall = 60.0
    @Option(help: "The usersync binary that serves and works.") var usersync = ".build/release/usersync"
    @Flag(help: "A tiny run for CI: proves the program works, measures nothing useful.") var smoke = false

    func validate() throws {
        guard conversations > 0, messages > 0, people >= 0, concurrency > 0, stall > 0 else {
            throw ValidationError("--conversations, --messages, --concurrency and --stall must be positive, --people not negative")
        }
        guard let parsed = Self.rates(rates), !parsed.isEmpty else {
            throw ValidationError("--rates is a comma-separated list of messages per second (0: all at once)")
        }
    }

    static func rates(_ text: String) -> [Int]? {
        let rates = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard rates.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        return rates.compactMap { $0 }
    }

    func run() async throws {
        let conversations = smoke ? 4 : conversations
        let plan = RelayPlan(
            conversations: conversations, messages: smoke ? 4 : messages, rates: smoke ? [40, 0] : Self.rates(rates) ?? [],
            people: people > 0 ? people : max(300, conversations * 9), concurrency: smoke ? 4 : concurrency,
            stall: .milliseconds(Int64(stall * 1_000)), binary: usersync)
        let report = try await withTestDatabase { db in
            try await SimulatedPlatforms.run { platforms in
                try await RelayBench(db: db, platforms: platforms, plan: plan).measure()
            }
        }
        try BenchmarkSupport.print(report)
    }
}

/// What one run does.
struct RelayPlan: Sendable {
    let conversations: Int
    let messages: Int
    let rates: [Int]
    let people: Int
    let concurrency: Int
    let stall: Duration
    let binary: String
}

/// Says what the benchmark is doing, on standard error (the figures go to standard output).
func progress(_ line: String) {
    FileHandle.standardError.write(Data("usersync-relay-bench: \(line)\n".utf8))
}

/// The simulator answers the platform calls on the event loops that read them
/// (``BenchmarkSupport/runTasksOnEventLoops()``).
@main
enum RelayBenchmarkMain {
    static func main() async {
        BenchmarkSupport.runTasksOnEventLoops()
        await RelayBenchmark.main()
    }
}
