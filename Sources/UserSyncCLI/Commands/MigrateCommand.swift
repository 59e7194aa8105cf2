import ArgumentParser
import Foundation
import UserSyncPersistence

/// `usersync migrate [--dry-run]`: applies pending `sql/` files as the schema owner.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (as DATABASE_OWNER_URL, else DATABASE_URL).")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Apply the pending migrations in a transaction and roll it back, reporting what would change.")
    var dryRun = false

    func run() async throws {
        var reader = try options.reader()
        let settings = DatabaseSettings.owner(&reader)
        let files = try MigrationSettings.files(&reader)
        try reader.validate()
        let logger = try CommandSupport.logger(reader)
        let report = try await CommandSupport.reporting {
            try await Database.withRunning(url: settings!.url, poolSize: 1, logger: logger) { database in
                try await Migrator(files: files!).migrate(database, dryRun: dryRun, logger: logger)
            }
        }
        if report.applied.isEmpty {
            print("The database is up to date (\(report.alreadyApplied.count) migrations applied).")
        } else {
            let verb = dryRun ? "Would apply (rolled back)" : "Applied"
            print("\(verb) \(report.applied.count) migration(s): \(report.applied.joined(separator: ", "))")
        }
    }
}

enum MigrationSettings {
    /// The `sql/` files (`USERSYNC_SQL_DIR`, else found beside the working directory or binary).
    static func files(_ reader: inout EnvironmentReader) throws -> [MigrationFile]? {
        guard let directory = MigrationFile.locateDirectory(explicit: reader.raw(.sqlDirectory)) else {
            reader.problem(.sqlDirectory, "is not set and no sql/ folder was found beside the working directory or the binary")
            return nil
        }
        do {
            return try MigrationFile.load(from: directory)
        } catch {
            reader.problem(.sqlDirectory, "(\(directory.path)): \(error)")
            return nil
        }
    }
}
