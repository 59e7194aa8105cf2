import Logging
import PostgresNIO

extension Database {
    /// Whether the current task (or the task it was started from) holds a pooled connection.
    @TaskLocal static var holdsConnection = false

    /// Leases a pooled connection for `body`. A task that asks for a second connection while it
    /// holds one is how a pool runs dry for good: with as many such tasks as connections, each
    /// holds one and waits for another, forever, and no thread is busy to show it. So it is
    /// logged, as a bug to fix by passing the connection (or the transaction) down instead.
    func leasing<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        if Self.holdsConnection {
            logger.warning(
                "asked for a second pooled connection while holding one (nested lease): a pool can run dry this way and never recover",
                metadata: ["nested_lease": "true"])
        }
        return try await Self.$holdsConnection.withValue(
            true,
            operation: { try await client.withConnection(isolation: isolation) { connection in try await body(connection) } },
            isolation: isolation)
    }
}
