import Foundation
import PostgresNIO
import Testing
import UserSyncPersistence
import UserSyncTestSupport

@Suite struct MigratorTests {
    static func files() throws -> [MigrationFile] { try MigrationFile.load(from: TestEnvironment.sqlDirectory) }

    @Test func migratesAnEmptyDatabaseOnceAndThenHasNothingToDo() async throws {
        try await withTestDatabase(migrated: false) { db in
            let migrator = Migrator(files: try Self.files())
            await #expect(throws: MigrationError.notMigrated) { try await migrator.requireCurrent(db.service, logger: db.logger) }

            let first = try await migrator.migrate(db.owner, dryRun: false, logger: db.logger)
            #expect(first.applied == migrator.files.map(\.name))
            let second = try await migrator.migrate(db.owner, dryRun: false, logger: db.logger)
            #expect(second.applied.isEmpty)
            #expect(second.alreadyApplied.count == migrator.files.count)
            try await migrator.requireCurrent(db.service, logger: db.logger)
        }
    }

    @Test func dryRunAppliesNothing() async throws {
        try await withTestDatabase(migrated: false) { db in
            let migrator = Migrator(files: try Self.files())
            let report = try await migrator.migrate(db.owner, dryRun: true, logger: db.logger)
            #expect(report.dryRun && report.applied.count == migrator.files.count)
            let rows = try await db.admin.client.query("SELECT count(*) FROM pg_tables WHERE tablename = 'organizations'", logger: db.logger)
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test func aPendingFileIsReportedAndAppliedNext() async throws {
        try await withTestDatabase { db in
            let extra = try MigrationFile(
                name: String(format: "%04d_extra.sql", try Self.files().count + 1),
                contents: Data("CREATE TABLE extra (id int); CREATE INDEX extra_id ON extra (id);".utf8))
            let migrator = Migrator(files: try Self.files() + [extra])
            await #expect(throws: MigrationError.pending([extra.name])) {
                try await migrator.requireCurrent(db.service, logger: db.logger)
            }
            #expect(try await migrator.migrate(db.owner, dryRun: false, logger: db.logger).applied == [extra.name])
            try await migrator.requireCurrent(db.service, logger: db.logger)
        }
    }

    @Test func aChangedOrMissingFileIsRefused() async throws {
        try await withTestDatabase { db in
            var files = try Self.files()
            let original = files[1]
            files[1] = try MigrationFile(name: original.name, contents: Data((original.sql + "\n-- edited").utf8))
            await #expect(throws: MigrationError.self) {
                try await Migrator(files: files).migrate(db.owner, dryRun: false, logger: db.logger)
            }
            await #expect(throws: MigrationError.self) {
                try await Migrator(files: files).requireCurrent(db.service, logger: db.logger)
            }
            // A build whose sql/ is shorter than the database's history is refused too.
            let older = Migrator(files: Array(try Self.files().dropLast()))
            await #expect(throws: MigrationError.self) { try await older.requireCurrent(db.service, logger: db.logger) }
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await withTestDatabase { db in
            let count = try Self.files().count
            let good = try MigrationFile(name: String(format: "%04d_good.sql", count + 1), contents: Data("CREATE TABLE good (id int);".utf8))
            let bad = try MigrationFile(name: String(format: "%04d_bad.sql", count + 2), contents: Data("CREATE TABLE broken (;".utf8))
            // The operator is told which file failed and the server's reason.
            await #expect(throws: MigrationError.failed(migration: bad.name, reason: "syntax error at end of input; SQLSTATE 42601")) {
                try await Migrator(files: try Self.files() + [good, bad]).migrate(db.owner, dryRun: false, logger: db.logger)
            }
            // One transaction: the good file before the bad one was rolled back too.
            await #expect(throws: MigrationError.pending([good.name, bad.name])) {
                try await Migrator(files: try Self.files() + [good, bad]).requireCurrent(db.service, logger: db.logger)
            }
        }
    }

    @Test func fileNamesAndNumberingAreChecked() throws {
        #expect(throws: MigrationError.badFileName("1_x.sql")) { try MigrationFile(name: "1_x.sql", contents: Data()) }
        #expect(throws: MigrationError.badFileName("0001_Bad.sql")) { try MigrationFile(name: "0001_Bad.sql", contents: Data()) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data().write(to: directory.appendingPathComponent("0001_a.sql"))
        try Data().write(to: directory.appendingPathComponent("0003_c.sql"))
        #expect(throws: MigrationError.badNumbering(expected: 2, found: "0003_c.sql")) { try MigrationFile.load(from: directory) }
    }
}
