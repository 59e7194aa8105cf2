import Foundation
import Testing
import UserSyncPersistence
import UserSyncTestSupport

/// The real `usersync` binary, run as an operator would.
@Suite struct CommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let errors: String

        /// The command's `--json` output as a typed view (snake_case keys, as the API's).
        func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(T.self, from: Data(output.utf8))
        }
    }

    struct CreatedKey: Decodable { let id: String, secret: String, role: String }

    static let binary = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/usersync")

    static func usersync(_ arguments: [String], environment: [String: String]) async throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.environment = environment.merging([
            "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin",
        ]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // A command that should stop at once but does not is stopped after 60 s and fails the test.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            output: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            errors: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    static func environment(_ db: TestDatabase, url: DatabaseURL? = nil) -> [String: String] {
        let url = url ?? db.serviceURL
        return [
            "DATABASE_URL": "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)?sslmode=disable",
            "USERSYNC_OPERATOR_TOKEN": String(repeating: "o", count: 40),
            "USERSYNC_ENCRYPTION_KEYS": "k1:" + Data(repeating: 1, count: 32).base64EncodedString(),
            "USERSYNC_HTTP_PORT": "0",
            // A test run that crashes takes its `serve` and `work` processes with it.
            "USERSYNC_PARENT_PID": "\(ProcessInfo.processInfo.processIdentifier)",
        ].merging(SimulatedPlatforms.processEnvironment) { $1 }
    }

    @Test func operatorsManageOrganizationsAndKeysWithoutHTTP() async throws {
        try await withTestDatabase { db in
            let env = Self.environment(db)
            let created = try await Self.usersync(["orgs", "create", "--slug", "acme", "--name", "Acme", "--json"], environment: env)
            #expect(created.status == 0, "\(created.errors)")
            #expect(created.output.contains("\"slug\" : \"acme\""))

            let key = try await Self.usersync(["keys", "create", "acme", "--name", "ops", "--role", "viewer", "--json"], environment: env)
            #expect(key.status == 0, "\(key.errors)")
            let createdKey = try key.decode(CreatedKey.self)
            let secret = createdKey.secret, keyID = createdKey.id
            #expect(secret.hasPrefix("usk_") && createdKey.role == "viewer")

            let listed = try await Self.usersync(["keys", "list", "acme"], environment: env)
            #expect(listed.status == 0 && listed.output.contains(keyID) && !listed.output.contains(secret))

            #expect(try await Self.usersync(["orgs", "rename", "acme", "--name", "Acme Corp"], environment: env).status == 0)
            let shown = try await Self.usersync(["orgs", "get", "acme"], environment: env)
            #expect(shown.output.contains("Acme Corp"))
            #expect(try await Self.usersync(["orgs", "list"], environment: env).output.contains("acme"))

            #expect(try await Self.usersync(["keys", "revoke", "acme", keyID], environment: env).status == 0)
            #expect(try await Self.usersync(["keys", "list", "acme"], environment: env).output.contains(keyID) == false)

            let deleted = try await Self.usersync(["orgs", "delete", "acme", "--yes"], environment: env)
            #expect(deleted.status == 0, "\(deleted.errors)")
            #expect(try await Self.usersync(["orgs", "get", "acme"], environment: env).status != 0)
        }
    }

    @Test(arguments: [
        (["orgs", "create", "--slug", "Not A Slug", "--name", "x"], "slug must be"),
        (["orgs", "get", "nope"], "no such organization"),
        (["orgs", "delete", "nope"], "--yes"),
        (["keys", "revoke", "nope", "not-a-uuid"], "UUID"),
        (["keys", "create", "nope", "--name", "x", "--role", "owner"], "role"),
        (["orgs", "teleport"], "teleport"),
    ])
    func badInputIsAMessageAndANonZeroExit(_ arguments: [String], _ message: String) async throws {
        try await withTestDatabase { db in
            let run = try await Self.usersync(arguments, environment: Self.environment(db))
            #expect(run.status != 0)
            #expect(run.errors.contains(message), "\(run.errors)")
            #expect(!run.errors.contains("Fatal error"))
        }
    }

    @Test func migrateDryRunChangesNothingAndMigrateApplies() async throws {
        try await withTestDatabase(migrated: false) { db in
            var env = Self.environment(db)
            env["DATABASE_OWNER_URL"] =
                "postgres://\(TestEnvironment.ownerRole)@\(db.serviceURL.host):\(db.serviceURL.port)/\(db.name)?sslmode=disable"
            let dry = try await Self.usersync(["migrate", "--dry-run"], environment: env)
            #expect(dry.status == 0 && dry.output.contains("Would apply"), "\(dry.output)\(dry.errors)")

            let refused = try await Self.usersync(["serve"], environment: env)
            #expect(refused.status != 0)
            #expect(refused.errors.contains("run `usersync migrate`"), "\(refused.errors)")

            let applied = try await Self.usersync(["migrate"], environment: env)
            #expect(applied.status == 0 && applied.output.contains("Applied"), "\(applied.errors)")
            let again = try await Self.usersync(["migrate"], environment: env)
            #expect(again.output.contains("up to date"))
        }
    }

    @Test func serveRefusesARoleThatBypassesRowLevelSecurity() async throws {
        try await withTestDatabase { db in
            let superuser = try TestEnvironment.adminURL.with(database: db.name)
            let run = try await Self.usersync(["serve"], environment: Self.environment(db, url: superuser))
            #expect(run.status != 0)
            #expect(run.errors.contains("superuser"), "\(run.errors)")
        }
    }

    @Test func serveRefusesARoleThatOwnsTablesItselfOrThroughAGrant() async throws {
        try await withTestDatabase { db in
            let granted = "usersync_test_granted_\(UInt32.random(in: 0...UInt32.max))"
            try await db.admin.client.query(
                "CREATE ROLE \(unescaped: granted) LOGIN IN ROLE usersync_app, \(unescaped: TestEnvironment.ownerRole)", logger: db.logger)
            for role in [TestEnvironment.ownerRole, granted] {
                let run = try await Self.usersync(
                    ["serve"], environment: Self.environment(db, url: db.serviceURL.with(username: role, password: nil)))
                #expect(run.status != 0)
                #expect(run.errors.contains("owns"), "\(role): \(run.errors)")
            }
            try await db.admin.client.query("DROP ROLE \(unescaped: granted)", logger: db.logger)
        }
    }

    @Test func anUnknownLogLevelStopsTheCommandAndNamesTheVariable() async throws {
        try await withTestDatabase { db in
            var env = Self.environment(db)
            env["USERSYNC_LOG_LEVEL"] = "loud"
            for command in [["serve"], ["work"], ["orgs", "list"]] {
                let run = try await Self.usersync(command, environment: env)
                #expect(run.status != 0)
                #expect(run.errors.contains("USERSYNC_LOG_LEVEL must be one of trace, debug, info"), "\(command): \(run.errors)")
            }
        }
    }

    @Test func serveNamesMissingConfigurationAndStops() async throws {
        let run = try await Self.usersync(["serve"], environment: [:])
        #expect(run.status != 0)
        #expect(run.errors.contains("DATABASE_URL") && run.errors.contains("USERSYNC_OPERATOR_TOKEN"))
    }
}
