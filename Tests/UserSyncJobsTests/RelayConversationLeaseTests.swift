import Foundation
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport

/// A relay conversation is delivered by one run of one job at a time. A run whose job lease lapsed
/// (its worker too busy to extend it) lives on while the queue gives the job to a new run: the new
/// run takes the conversation over, and the old one learns it before its next message.
@Suite("Relay conversation leases follow the job's current run")
struct RelayConversationLeaseTests {
    let messages = RelayMessageRepository()
    let connection = ConnectionID.random()
    let conversation = "D123"

    @Test("a lapsed run loses its conversation to the job's next run, and gives back nothing it no longer holds")
    func aLapsedRunLosesItsConversation() async throws {
        try await withTestDatabase { db in
            let org = try await db.organization()
            let queue = JobQueue(database: db.service)
            let id = try #require(try await db.enqueue([try NewJob(kind: "relay.deliver", payload: Numbered(n: 1))], for: org)[0])
            let first = try await queue.claim(worker: "a", limit: 1, perOrganization: 1, lease: .seconds(60), logger: db.logger)
            let old = RelayMessageRepository.LeaseHolder(job: id, attempt: try #require(first.first).attempts)
            let next = RelayMessageRepository.LeaseHolder(job: id, attempt: old.attempt + 1)
            #expect(try await lease(old, db, org))
            #expect(try await !lease(next, db, org), "the job's current run holds the conversation")

            // Its job lease lapses; the reaper gives the job to a new run while the old one still runs.
            try await db.adminQuery("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)")
            _ = try await queue.reapExpiredLeases(logger: db.logger)
            let second = try await queue.claim(worker: "b", limit: 1, perOrganization: 1, lease: .seconds(60), logger: db.logger)
            #expect(second.first?.attempts == next.attempt)

            #expect(try await lease(next, db, org), "the old run is no longer its job's current run")
            #expect(try await !keep(old, db, org), "the old run stops before its next message")
            try await db.service.withTenant(org, logger: db.logger) { db2 in
                try await messages.release(org, connection: connection, conversation: conversation, holder: old, on: db2, logger: db.logger)
            }
            #expect(try await keep(next, db, org), "the old run's release leaves the new run's lease alone")
            #expect(try await !lease(old, db, org), "nor can the old run take it back")
        }
    }

    private func lease(_ holder: RelayMessageRepository.LeaseHolder, _ db: TestDatabase, _ org: OrganizationID) async throws -> Bool {
        let now = Date()
        return try await db.service.withTenant(org, logger: db.logger) { connection in
            try await messages.lease(
                org, connection: self.connection, conversation: conversation, holder: holder, now: now, until: now.addingTimeInterval(300),
                on: connection, logger: db.logger)
        }
    }

    private func keep(_ holder: RelayMessageRepository.LeaseHolder, _ db: TestDatabase, _ org: OrganizationID) async throws -> Bool {
        try await db.service.withTenant(org, logger: db.logger) { connection in
            try await messages.keep(
                org, connection: self.connection, conversation: conversation, holder: holder, until: Date().addingTimeInterval(300),
                on: connection, logger: db.logger)
        }
    }
}
