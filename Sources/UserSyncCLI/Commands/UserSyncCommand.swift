import ArgumentParser

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
        let main: () async -> Void = UserSyncCommand.main
        await main()
    }
}
