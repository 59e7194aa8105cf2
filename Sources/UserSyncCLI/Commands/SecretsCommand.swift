import ArgumentParser
import Foundation
import UserSyncPersistence
import UserSyncUseCases

/// `usersync secrets reseal`: the last step of rotating `USERSYNC_ENCRYPTION_KEYS`.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Manage the secrets UserSync keeps sealed at rest.", subcommands: [Reseal.self])

    struct Reseal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal every stored secret again with the first key of USERSYNC_ENCRYPTION_KEYS.",
            discussion: """
                Rotate a key by putting a new key first in USERSYNC_ENCRYPTION_KEYS (keeping the old ones), restarting \
                serve and work, then running this. It says which keys no longer seal anything: remove those. Safe to run \
                while the service runs, and again.
                """)
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Count what would be re-sealed; change nothing.") var dryRun = false

        func run() async throws {
            var reader = try options.reader()
            let database = DatabaseSettings.service(&reader)
            let secrets = ServeSettings.secretBox(&reader)
            try await CommandSupport.reporting { try reader.validate() }
            var logger = try CommandSupport.logger(reader)
            logger.logLevel = max(logger.logLevel, .warning)
            let report = try await CommandSupport.reporting { [dryRun, logger] in
                try await Database.withRunning(url: database!.url, logger: logger) { db in
                    try await SecretResealing(database: db, secrets: secrets!).reseal(dryRun: dryRun, logger: logger)
                }
            }
            let counts = SealedSecretRepository.Kind.allCases.map { "\(report.resealed[$0] ?? 0) \($0.rawValue)" }.joined(separator: " and ")
            print("\(dryRun ? "Would re-seal" : "Re-sealed") \(counts) with key \(report.currentKeyID).")
            if !dryRun {
                let unused = secrets!.keyIDs.filter { !report.keysInUse.contains($0) && $0 != report.currentKeyID }
                print(
                    unused.isEmpty
                        ? "Every listed key is still in use or current."
                        : "No secret is sealed with \(unused.joined(separator: ", ")) any more: remove it from USERSYNC_ENCRYPTION_KEYS.")
            }
            if !report.unreadable.isEmpty {
                let keys = report.unreadable.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                throw CommandFailure(
                    description:
                        "some secrets are sealed with keys USERSYNC_ENCRYPTION_KEYS does not list: \(keys). Add those keys back and run this again.")
            }
        }
    }
}
