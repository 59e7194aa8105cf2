import Logging
import PostgresNIO

extension Database {
    /// Where the current task (or the task it was started from) leased each connection it holds,
    /// by pool.
    @TaskLocal static var connectionsLeasedAt: [ObjectIdentifier: CallSite] = [:]

    /// Where a lease was taken; described only for a warning.
    struct CallSite: Sendable, CustomStringConvertible {
        var file: String
        var line: Int
        var description: String { "\(file):\(line)" }
    }

    /// Leases a pooled connection for `body`. A task that asks for a second connection of a pool
    /// while it holds one of it is how a pool runs dry for good: with as many such tasks as
    /// connections, each holds one and waits for another, forever, and no thread is busy to show
    /// it. So it is logged, as a bug to fix by passing the connection (or the transaction) down.
    func leasing<Result: Sendable>(
        logger: Logger, at caller: CallSite,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let pool = ObjectIdentifier(client)
        let outer = Self.connectionsLeasedAt[pool]
        if let outer {
            logger.warning(
                "asked for a second pooled connection while holding one (nested lease): a pool can run dry this way and never recover",
                metadata: ["nested_lease": "\(caller)", "holding_since": "\(outer)"])
        }
        // A task holding a connection passes the gate: waiting there, it could wait for itself.
        let gate = outer == nil ? self.gate : nil
        try await gate?.enter()
        defer { gate?.leave() }
        return try await Self.$connectionsLeasedAt.withValue(
            Self.connectionsLeasedAt.merging([pool: caller]) { $1 },
            operation: { try await client.withConnection(isolation: isolation) { connection in try await body(connection) } },
            isolation: isolation)
    }
}
