import Foundation
import Logging
import PostgresNIO
import Synchronization
import UserSyncPersistence

/// A database of its own for one test, cloned from the template that `scripts/test` migrated
/// (`CREATE DATABASE … TEMPLATE …`), and dropped afterwards. Tests run in parallel, each on its own.
public struct TestDatabase: Sendable {
    public let name: String
    /// As `usersync_service`: the role `serve` and `work` run as (no table, no RLS bypass).
    public let service: Database
    /// As `usersync_owner`: owns the tables (FORCE ROW LEVEL SECURITY applies to it too).
    public let owner: Database
    /// As a superuser: for fixtures that span organizations. Never what the service uses.
    public let admin: Database
    public let serviceURL: DatabaseURL
    public let logger: Logger

    public static var migrator: Migrator {
        get throws { Migrator(files: try MigrationFile.load(from: TestEnvironment.sqlDirectory)) }
    }
}

public enum TestEnvironment {
    public static let serviceRole = "usersync_service"
    public static let ownerRole = "usersync_owner"

    /// A superuser URL of the test server (`scripts/test` sets it).
    public static var adminURL: DatabaseURL {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["USERSYNC_TEST_ADMIN_URL"] else {
                throw TestEnvironmentError(
                    "USERSYNC_TEST_ADMIN_URL is not set: run the tests with ./scripts/test, which starts PostgreSQL")
            }
            return try DatabaseURL(text)
        }
    }

    public static var template: String {
        ProcessInfo.processInfo.environment["USERSYNC_TEST_TEMPLATE"] ?? "usersync_template"
    }

    /// Password of the test roles, for servers without trust authentication.
    static var rolePassword: String? { ProcessInfo.processInfo.environment["USERSYNC_TEST_ROLE_PASSWORD"] }

    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let sqlDirectory = repositoryRoot.appendingPathComponent("sql")

    /// How much tests log: `warning` unless `USERSYNC_TEST_LOG_LEVEL` asks for more (`info` shows
    /// every request), so a CI log shows failures rather than thousands of request lines.
    public static var logLevel: Logger.Level {
        ProcessInfo.processInfo.environment["USERSYNC_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    }

    /// A logger at ``logLevel``.
    public static func logger(_ label: String = "usersync-test") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    public static var logger: Logger { logger() }
}

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `body` with a fresh database cloned from the migrated template (or, with
/// `migrated: false`, an empty one), then drops it.
public func withTestDatabase<Result: Sendable>(
    migrated: Bool = true,
    _ body: @Sendable (TestDatabase) async throws -> Result
) async throws -> Result {
    try await TestDatabaseSlots.shared.holding { try await withFreshTestDatabase(migrated: migrated, body) }
}

private func withFreshTestDatabase<Result: Sendable>(
    migrated: Bool, _ body: @Sendable (TestDatabase) async throws -> Result
) async throws -> Result {
    let adminURL = try TestEnvironment.adminURL
    let logger = TestEnvironment.logger
    let name = "usersync_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
    let template = migrated ? TestEnvironment.template : "template0"
    _ = try await Database.withRunning(url: adminURL, poolSize: 1, logger: logger) { server in
        try await server.client.query(
            "CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: template) OWNER \(unescaped: TestEnvironment.ownerRole)",
            logger: logger)
    }
    let password = TestEnvironment.rolePassword
    let serviceURL = adminURL.with(database: name).with(username: TestEnvironment.serviceRole, password: password)
    let database = TestDatabase(
        name: name,
        service: Database(url: serviceURL, poolSize: 8, logger: logger),
        owner: Database(
            url: adminURL.with(database: name).with(username: TestEnvironment.ownerRole, password: password), poolSize: 2, logger: logger),
        admin: Database(url: adminURL.with(database: name), poolSize: 2, logger: logger),
        serviceURL: serviceURL,
        logger: logger)
    let result: Result
    do {
        result = try await withThrowingTaskGroup(of: Void.self) { group in
            for pool in [database.service, database.owner, database.admin] {
                group.addTask { await pool.run() }
            }
            defer { group.cancelAll() }
            return try await body(database)
        }
    } catch {
        try? await drop(name, adminURL: adminURL, logger: logger)
        throw error
    }
    try await drop(name, adminURL: adminURL, logger: logger)
    return result
}

private func drop(_ name: String, adminURL: DatabaseURL, logger: Logger) async throws {
    _ = try await Database.withRunning(url: adminURL, poolSize: 1, logger: logger) { server in
        try await server.client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
    }
}

/// Swift Testing starts every test at once; each test's database brings pools of up to a dozen
/// connections (service, owner, admin, the access listener, the processes a CLI test starts). This
/// many tests hold a database at a time (`USERSYNC_TEST_DATABASES`, default 16), so together they
/// stay well inside the server's `max_connections` instead of being refused at random. A test
/// that opens a second database inside its first does not wait for another slot.
final class TestDatabaseSlots: Sendable {
    static let shared = TestDatabaseSlots(
        limit: ProcessInfo.processInfo.environment["USERSYNC_TEST_DATABASES"].flatMap(Int.init).map { max(1, $0) } ?? 16)

    @TaskLocal private static var holding = false
    private let state: Mutex<(free: Int, waiting: [CheckedContinuation<Void, Never>])>

    init(limit: Int) { state = Mutex((limit, [])) }

    func holding<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        if Self.holding { return try await body() }
        await acquire()
        defer { release() }
        return try await Self.$holding.withValue(true) { try await body() }
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state in
            if state.waiting.isEmpty {
                state.free += 1
                return nil as CheckedContinuation<Void, Never>?
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
