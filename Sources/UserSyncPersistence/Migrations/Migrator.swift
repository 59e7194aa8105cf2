import Logging
import PostgresNIO

/// Applies `sql/` files to a database: all pending files in one transaction, under an advisory
/// lock (so two `migrate` runs never interleave), recording each file's name and checksum.
public struct Migrator: Sendable {
    public let files: [MigrationFile]

    /// Any fixed number: the lock only has to be the same for every `usersync migrate`.
    static let advisoryLock: Int64 = 0x7573_6572_7379_6e63  // "usersync"

    public init(files: [MigrationFile]) {
        self.files = files
    }

    public struct Report: Sendable, Equatable {
        public let alreadyApplied: [String]
        public let applied: [String]
        public let dryRun: Bool
    }

    /// Applies pending migrations; with `dryRun` they run and are rolled back, proving they apply.
    public func migrate(_ database: Database, dryRun: Bool, logger: Logger) async throws -> Report {
        try await database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                try await connection.run("SELECT pg_advisory_xact_lock(\(Self.advisoryLock))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS usersync_migrations (
                        name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                let applied = try await Self.applied(on: connection, logger: logger)
                let pending = try verify(applied)
                for file in pending {
                    logger.info("applying migration", metadata: ["migration": "\(file.name)"])
                    for statement in SQLScript.statements(file.sql) {
                        do {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        } catch let error as PSQLError {
                            // The server's own words: PSQLError's description hides them.
                            let server = error.serverInfo
                            let reason = [server?[.message], server?[.detail], server?[.hint], server?[.sqlState].map { "SQLSTATE \($0)" }]
                                .compactMap { $0 }.joined(separator: "; ")
                            throw MigrationError.failed(migration: file.name, reason: reason.isEmpty ? String(reflecting: error) : reason)
                        }
                    }
                    try await connection.query(
                        "INSERT INTO usersync_migrations (name, checksum) VALUES (\(file.name), \(file.checksum))",
                        logger: logger)
                }
                try await connection.query(dryRun ? "ROLLBACK" : "COMMIT", logger: logger)
                return Report(alreadyApplied: applied.map(\.name), applied: pending.map(\.name), dryRun: dryRun)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// What `serve` and `work` check before starting: every file applied, nothing else.
    public func requireCurrent(_ database: Database, logger: Logger) async throws {
        let applied: [(name: String, checksum: String)]
        do {
            applied = try await database.client.withConnection { try await Self.applied(on: $0, logger: logger) }
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.undefinedTable {
            throw MigrationError.notMigrated
        }
        let pending = try verify(applied)
        guard pending.isEmpty else { throw MigrationError.pending(pending.map(\.name)) }
    }

    /// The files still to apply, after checking that the applied ones are an unchanged prefix.
    func verify(_ applied: [(name: String, checksum: String)]) throws -> ArraySlice<MigrationFile> {
        for (index, record) in applied.enumerated() {
            guard index < files.count else {
                throw MigrationError.diverged(
                    "the database has '\(record.name)', which is not in sql/ (is this build older than the database?)")
            }
            guard files[index].name == record.name else {
                throw MigrationError.diverged("applied migration #\(index + 1) is '\(record.name)' but sql/ has '\(files[index].name)'")
            }
            guard files[index].checksum == record.checksum else {
                throw MigrationError.diverged("'\(record.name)' was changed after it was applied; add a new file instead")
            }
        }
        return files[applied.count...]
    }

    static func applied(on connection: PostgresConnection, logger: Logger) async throws -> [(name: String, checksum: String)] {
        let rows = try await connection.query("SELECT name, checksum FROM usersync_migrations ORDER BY name", logger: logger)
        var result: [(name: String, checksum: String)] = []
        for try await (name, checksum) in rows.decode((String, String).self) { result.append((name, checksum)) }
        return result
    }
}
