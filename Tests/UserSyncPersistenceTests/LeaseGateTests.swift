import Foundation
import Synchronization
import Testing
import UserSyncDomain
import UserSyncTestSupport
import UserSyncTesting

@testable import UserSyncPersistence

/// The bound on a worker's busy database sessions (``LeaseGate``, `concurrentLeases`).
@Suite struct LeaseGateTests {
    @Test func theHolderAfterTheLimitWaitsForATurnAndWaitersGoInOrder() async throws {
        let gate = LeaseGate(limit: 2)
        try await gate.enter()
        try await gate.enter()
        let order = Entries()
        let third = Task {
            try await gate.enter()
            order.append(3)
        }
        try await eventually { gate.waiting == 1 }
        let fourth = Task {
            try await gate.enter()
            order.append(4)
        }
        try await eventually { gate.waiting == 2 }
        #expect(order.all.isEmpty)
        gate.leave()
        try await third.value
        #expect(order.all == [3])
        #expect(gate.waiting == 1)
        gate.leave()
        try await fourth.value
        #expect(order.all == [3, 4])
    }

    @Test func aWaiterCancelledGivesUpItsPlace() async throws {
        let gate = LeaseGate(limit: 1)
        try await gate.enter()
        let waiter = Task { try await gate.enter() }
        try await eventually { gate.waiting == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.waiting == 0)
        // Its turn was not taken: the one holder's leaving frees the gate for the next.
        gate.leave()
        try await gate.enter()
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await gate.enter()
        }
        await #expect(throws: CancellationError.self) { try await cancelledFirst.value }
        #expect(gate.waiting == 0)
    }

    /// A task holding a connection is let through (it must not wait for itself), and a database
    /// without the bound over the same pool, as the worker's queue has, is never held up by it.
    @Test func aDatabaseBoundToOneHolderRunsNestedLeasesAndWaitsOthers() async throws {
        try await withTestDatabase { db in
            try await Database.withRunning(url: db.serviceURL, poolSize: 4, concurrentLeases: 1, logger: db.logger) { database in
                let org = OrganizationID.random()
                let release = AsyncStream<Void>.makeStream()
                let holding = AsyncStream<Void>.makeStream()
                let holder = Task {
                    try await database.withTenant(org, logger: db.logger) { _ in
                        // A nested lease (logged as a bug elsewhere) still gets its connection.
                        let nested = try await database.withTransaction(logger: db.logger) { c in
                            try await c.query("SELECT 1", logger: db.logger).collect().count
                        }
                        #expect(nested == 1)
                        holding.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
                for await _ in holding.stream { break }
                let other = Task { try await database.withTransaction(logger: db.logger) { _ in } }
                try await eventually { database.gate?.waiting == 1 }
                let unbound = Database(client: database.client)
                try await unbound.withTransaction(logger: db.logger) { _ in }
                #expect(database.gate?.waiting == 1)
                release.continuation.yield()
                try await holder.value
                try await other.value
                #expect(database.gate?.waiting == 0)
            }
        }
    }

    private final class Entries: Sendable {
        private let entries = Mutex<[Int]>([])
        var all: [Int] { entries.withLock { $0 } }
        func append(_ entry: Int) { entries.withLock { $0.append(entry) } }
    }
}
