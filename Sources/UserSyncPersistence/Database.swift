import Logging
import PostgresNIO
import ServiceLifecycle
import UserSyncDomain

/// The service's way into PostgreSQL. Every tenant read and write goes through
/// ``withTenant(_:logger:_:)``, which scopes the transaction to one organization so row-level
/// security hides every other organization's rows even from a query that forgets its `WHERE`.
public struct Database: Sendable, Service {
    public let client: PostgresClient
    /// Bounds the tasks holding a connection at once, below the pool's size (see the initializer).
    let gate: LeaseGate?

    public init(client: PostgresClient) {
        self.client = client
        self.gate = nil
    }

    /// A pool of `poolSize` connections. With `concurrentLeases`, at most that many tasks hold one
    /// through this type's methods at once (a task already holding one is let through): a worker
    /// runs many jobs that mostly wait on platforms, but as many busy PostgreSQL sessions as jobs
    /// crowded a shared host's cores, and the API's requests on them (docs/scaling.md). The pool
    /// stays larger, for what the bound lets through: nested leases, and the worker's queue, which
    /// goes through a ``init(client:)`` of the same pool (no bound) so that a lease never waits
    /// behind the jobs it keeps alive. `eventLoopGroup` is where the pool's connections do their
    /// I/O: one event loop, for a worker lane (see `WorkerSettings.lanes`).
    public init(
        url: DatabaseURL, poolSize: Int, concurrentLeases: Int? = nil, eventLoopGroup: any EventLoopGroup = PostgresClient.defaultEventLoopGroup,
        logger: Logger
    ) {
        self.client = PostgresClient(
            configuration: url.clientConfiguration(maximumConnections: poolSize, applicationName: logger.label), eventLoopGroup: eventLoopGroup,
            backgroundLogger: logger)
        self.gate = concurrentLeases.map(LeaseGate.init(limit:))
    }

    /// Runs the connection pool until cancelled (as a service of the role's service group).
    public func run() async {
        await client.run()
    }

    /// Runs a pool for the duration of `body`: for one-shot commands and tests.
    public static func withRunning<Result: Sendable>(
        url: DatabaseURL, poolSize: Int = 4, concurrentLeases: Int? = nil, logger: Logger,
        _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        // The pool may be asked for a connection a moment before its run() task starts; that is
        // harmless here, so its "run() not called yet" warning is not shown.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let database = Database(url: url, poolSize: poolSize, concurrentLeases: concurrentLeases, logger: background)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs `body` in one transaction scoped to `organization` (`set_config(…, true)`, so the
    /// scope ends with the transaction and never leaks to the pooled connection's next user).
    public func withTenant<Result: Sendable>(
        _ organization: OrganizationID,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await leasing(logger: logger, at: .init(file: file, line: line)) { connection in
            try await connection.usersyncTransaction(scope: organization, logger: logger, isolation: isolation, body)
        }
    }

    /// ``withTenant(_:logger:isolation:file:line:_:)`` for a body that only reads and writes the
    /// database: when PostgreSQL ends the transaction as one side of a deadlock or a serialization
    /// failure (a ``ConcurrentChange``), it is run again from the start, up to `attempts` times in
    /// all, as the PostgreSQL manual advises. A body that calls a platform must not use this.
    public func withTenantRetryingConflicts<Result: Sendable>(
        _ organization: OrganizationID,
        attempts: Int = 3,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withTenant(organization, logger: logger, file: file, line: line, body)
            } catch let error as ConcurrentChange where attempt < attempts {
                logger.notice(
                    "transaction ended by a concurrent one; running it again",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// A pooled connection outside any transaction, for one statement that scopes itself to its
    /// organization (a `usersync_*` function that sets `usersync.org_id` before it reads, like
    /// `usersync_person`): one round trip instead of four. Anything else in `body` sees no
    /// tenant's rows.
    public func withSelfScopingStatement<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await leasing(logger: logger, at: .init(file: file, line: line)) { connection in try await body(connection) }
        } catch {
            throw PostgresFailure.translate(error)
        }
    }

    /// A transaction with no tenant scope: only the organization registry is visible in it.
    public func withTransaction<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await leasing(logger: logger, at: .init(file: file, line: line)) { connection in
            try await connection.usersyncTransaction(scope: nil, logger: logger, isolation: isolation, body)
        }
    }

    /// A transaction in the job queue's own scope: the `jobs` table of every organization is
    /// visible (its `queue_access` policy), every other tenant table stays hidden.
    public func withQueueScope<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await leasing(logger: logger, at: .init(file: file, line: line)) { connection in
            try await connection.usersyncTransaction(scope: nil, special: "queue", logger: logger, isolation: isolation, body)
        }
    }

    /// A transaction in the console sessions' own scope: `console_sessions` of every organization
    /// is visible (a browser's cookie names no organization), every other tenant table stays hidden.
    public func withConsoleSessionScope<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await leasing(logger: logger, at: .init(file: file, line: line)) { connection in
            try await connection.usersyncTransaction(scope: nil, special: "console_session", logger: logger, isolation: isolation, body)
        }
    }

    /// Readiness: a round trip to the server.
    /// Checks the database answers within `timeout` (a pool that cannot connect would otherwise
    /// wait for a connection indefinitely).
    public func ping(timeout: Duration = .seconds(10), logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.query("SELECT 1", logger: logger) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PingTimeout(timeout: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    public struct PingTimeout: Error, CustomStringConvertible {
        public let timeout: Duration
        public var description: String { "the database did not answer within \(timeout)" }
    }
}

extension PostgresConnection {
    /// BEGIN … COMMIT that rethrows the body's own error (translated), not a wrapper, so callers
    /// can match domain errors.
    func usersyncTransaction<Result>(
        scope organization: OrganizationID?,
        special: String? = nil,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await query("BEGIN", logger: logger)
        do {
            if let organization {
                try await run(SetLocalStatement(setting: "usersync.org_id", value: organization.description), logger: logger)
            }
            if let special {
                try await run(SetLocalStatement(setting: "usersync.scope", value: special), logger: logger)
            }
            let result = try await body(self)
            // PostgreSQL answers COMMIT with ROLLBACK, and no error, when a statement failed in
            // the transaction; that failure may have gone unseen (an error after the rows a caller
            // read). The body's work is then lost, and the caller must not take it as done.
            let answer: PostgresQueryResult = try await query("COMMIT", logger: logger).get()
            guard answer.metadata.command == "COMMIT" else { throw TransactionRolledBack() }
            return result
        } catch {
            _ = try? await query("ROLLBACK", logger: logger)
            throw PostgresFailure.translate(error)
        }
    }
}
