import Foundation
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport

/// An event reaches the ledger in one round trip (sql/0038): the message with its first step, and
/// a delivery job only when no run will read its conversation afterwards.
@Suite("Storing a relayed event")
struct RelayReceiveTests {
    let messages = RelayMessageRepository()
    let job = RelayMessageRepository.DeliveryJob(kind: "relay.deliver", payload: #"{"conversation":"D1"}"#, maxAttempts: 25)

    @Test("a burst in one conversation queues one job; a retried event adds nothing; a job no longer waiting gets a successor")
    func aBurstQueuesOneJob() async throws {
        try await withTestDatabase { db in
            let (org, connection) = try await organizationWithSlack(db)
            // Outside any transaction: the statement scopes itself.
            func store(_ key: String, in conversation: String = "D1") async throws -> Bool {
                try await db.service.withSelfScopingStatement(logger: db.logger) { pooled in
                    try await messages.store(
                        org, message(key, connection: connection, conversation: conversation), body: #"{"text":"hi","files":[]}"#, now: Date(),
                        job: job, on: pooled, logger: db.logger)
                }
            }
            func count(_ sql: String) async throws -> String { try await db.adminQueryText(sql) }

            #expect(try await store("e1"))
            #expect(try await store("e2"))
            #expect(try await store("e3", in: "D2"))
            #expect(try await !store("e1"), "a platform's retry is recognised")
            #expect(try await count("SELECT count(*)::text FROM relay_messages") == "3")
            #expect(try await count("SELECT string_agg(step, ',') FROM relay_message_steps") == "received,received,received")
            #expect(try await count("SELECT count(*)::text FROM jobs WHERE kind = 'relay.deliver'") == "2", "one job per conversation")
            let waiting = try await count("SELECT queued_job::text FROM relay_conversation_leases WHERE source_conversation = 'D1'")
            #expect(try await count("SELECT min(id)::text FROM jobs") == waiting)
            #expect(try await count("SELECT payload::text FROM jobs WHERE id = \(waiting)") == #"{"conversation": "D1"}"#)

            // The waiting job started without holding the conversation (a run that gave it back):
            // the next event cannot count on it.
            try await db.adminQuery("UPDATE jobs SET state = 'running', attempts = 1 WHERE id = \(Int64(waiting)!)")
            #expect(try await store("e4"))
            #expect(try await count("SELECT count(*)::text FROM jobs WHERE kind = 'relay.deliver'") == "3")
            #expect(try await count("SELECT queued_job::text FROM relay_conversation_leases WHERE source_conversation = 'D1'") != waiting)
        }
    }

    @Test("a transaction scoped to another organization cannot store into this one")
    func anotherOrganizationsScopeIsRefused() async throws {
        try await withTestDatabase { db in
            let (org, connection) = try await organizationWithSlack(db)
            let other = try await db.organization()
            await #expect(throws: (any Error).self) {
                try await db.service.withTenant(other, logger: db.logger) { pooled in
                    try await messages.store(
                        org, message("e1", connection: connection, conversation: "D1"), body: nil, now: Date(), job: job, on: pooled,
                        logger: db.logger)
                }
            }
            #expect(try await db.adminQueryText("SELECT count(*)::text FROM relay_messages") == "0")
        }
    }

    private func organizationWithSlack(_ db: TestDatabase) async throws -> (OrganizationID, ConnectionID) {
        let org = try await db.organization(), connection = ConnectionID.random()
        try await db.adminQuery(
            """
            INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
            VALUES (\(org.rawValue), \(connection.rawValue), 'slack', 'Slack', 'T1', '\\x00'::bytea, 'k1', 'http://localhost')
            """)
        return (org, connection)
    }

    private func message(_ key: String, connection: ConnectionID, conversation: String) -> RelayMessage {
        let now = Date()
        return RelayMessage(
            id: .init(UUID()), kind: .message, sourceConnectionID: connection, eventKey: key, sourceConversation: conversation,
            sourceMessageID: key, senderAccount: "U1", recipientAccount: nil, toBot: true, threadID: nil, state: .received, sentAt: now,
            receivedAt: now, updatedAt: now)
    }
}
