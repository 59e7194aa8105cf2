import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `usersync`: one binary, one subcommand per role, plus operations commands.
@available(macOS 10.15, *)
public struct UserSyncCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "usersync",
        abstract: "Sync users across Slack, Microsoft Teams, Zoom Team Chat and Webex.",
        subcommands: [
            ServeCommand.self, WorkCommand.self, MigrateCommand.self, OrgsCommand.self, KeysCommand.self, AutoSyncCommand.self, JobsCommand.self,
            SecretsCommand.self,
        ]
    )

    public init() {}
}

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "A KEY=value file read before the environment (default: ./.env when present).")
    var envFile: String?

    func reader() throws -> EnvironmentReader {
        try EnvironmentReader.load(envFile: envFile)
    }
}

extension UserSyncCommand {
    /// The executable's entry point: parses the arguments and runs the command asynchronously.
    public static func runFromCommandLine() async {
        // Tasks run on the event loops that do their I/O: a database statement or platform call
        // no longer hops between Swift's thread pool and an event loop and back, which cost
        // `serve` and `work` a fifth to a third of their CPU at a steady relay rate. Before
        // anything else runs; `USERSYNC_EVENT_LOOP_EXECUTOR=off` keeps Swift's own pool.
        if ProcessInfo.processInfo.environment[ConfigurationKey.eventLoopExecutor.rawValue] != "off" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let main: () async -> Void = UserSyncCommand.main
        await main()
    }
}
