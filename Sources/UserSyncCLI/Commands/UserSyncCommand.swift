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
    /// Whether `subcommand` runs its tasks on the event loops that do their I/O (SwiftNIO's
    /// executor takeover): a database statement or platform call then no longer hops from
    /// Swift's thread pool to an event loop and back. That cut `work`'s CPU per relayed message
    /// by a sixth at 100-200 messages/s, but cost a saturated `serve` a fifth of its point reads
    /// per second (its event loops then also run every request's work). `work` by default; `all`
    /// or `off` (`USERSYNC_EVENT_LOOP_EXECUTOR`) for every command or none.
    static func eventLoopExecutor(for subcommand: String?, setting: String?) -> Bool {
        switch setting {
        case "all": true
        case "off": false
        default: subcommand == "work"
        }
    }

    /// Refuses a value of `USERSYNC_EVENT_LOOP_EXECUTOR` that is none of its choices (which the
    /// takeover, deciding before the settings are read, would take for the default).
    static func checkEventLoopExecutor(_ reader: inout EnvironmentReader) {
        guard let value = reader.raw(.eventLoopExecutor), !["work", "all", "off"].contains(value) else { return }
        reader.problem(.eventLoopExecutor, "must be 'work', 'all' or 'off'")
    }

    /// The executable's entry point: parses the arguments and runs the command asynchronously.
    public static func runFromCommandLine() async {
        // Before anything else runs (``eventLoopExecutor(for:setting:)``).
        let setting = ProcessInfo.processInfo.environment[ConfigurationKey.eventLoopExecutor.rawValue]
        if eventLoopExecutor(for: CommandLine.arguments.dropFirst().first, setting: setting) {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let main: () async -> Void = UserSyncCommand.main
        await main()
    }
}
