import Foundation
import PostgresNIO
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
    let job = Self.job(for: "D1")

    /// The connection's job an event in `conversation` queues: two conversations at most.
    static func job(for conversation: String) -> RelayMessageRepository.DeliveryJob {
        .init(kind: "relay.deliver", payload: #"{"conversations": ["\#(conversation)"]}"#, maxAttempts: 25, conversationsPerJob: 2)
    }

    @Test("a burst in one conversation queues one job, other conversations join it while it waits; a retried event adds nothing")
    func aBurstQueuesOneJob() async throws {
        try await withTestDatabase { db in
            let (org, connection) = try await organizationWithSlack(db)
            // Outside any transaction: the statement scopes itself.
            func store(_ key: String, in conversation: String = "D1") async throws -> Bool {
                try await db.service.withSelfScopingStatement(logger: db.logger) { pooled in
                    try await messages.store(
                        org, message(key, connection: connection, conversation: conversation), body: #"{"text":"hi","files":[]}"#, now: Date(),
                        job: Self.job(for: conversation), on: pooled, logger: db.logger)
                }
            }
            func count(_ sql: String) async throws -> String { try await db.adminQueryText(sql) }
            func jobs() async throws -> [String] {
                try await db.adminRows("SELECT (payload -> 'conversations')::text FROM jobs WHERE kind = 'relay.deliver' ORDER BY id")
            }
            func waiting(_ conversation: String) async throws -> String {
                try await count("SELECT queued_job::text FROM relay_conversation_leases WHERE source_conversation = '\(conversation)'")
            }

            #expect(try await store("e1"))
            #expect(try await store("e2"))
            #expect(try await store("e3", in: "D2"))
            #expect(try await !store("e1"), "a platform's retry is recognised")
            #expect(try await count("SELECT count(*)::text FROM relay_messages") == "3")
            #expect(try await count("SELECT string_agg(step, ',') FROM relay_message_steps") == "received,received,received")
            #expect(try await jobs() == [#"["D1", "D2"]"#], "one job for the connection, which the second conversation joined")
            let first = try await count("SELECT min(id)::text FROM jobs")
            #expect(try await waiting("D1") == first)
            #expect(try await waiting("D2") == first)

            // Full: the next conversation gets a job of its own, which later ones join.
            #expect(try await store("e4", in: "D3"))
            #expect(try await jobs() == [#"["D1", "D2"]"#, #"["D3"]"#])
            let second = try await count("SELECT max(id)::text FROM jobs")
            #expect(try await count("SELECT queued_job::text FROM relay_connection_batches") == second)

            // The first job started without holding D1 (a run that gave it back): the next event
            // there cannot count on it, and joins the job still waiting.
            try await db.adminQuery("UPDATE jobs SET state = 'running', attempts = 1 WHERE id = \(Int64(first)!)")
            #expect(try await store("e5"))
            #expect(try await jobs() == [#"["D1", "D2"]"#, #"["D3", "D1"]"#])
            #expect(try await waiting("D1") == second)

            // Once that one has started too, an event queues a new job.
            try await db.adminQuery("UPDATE jobs SET state = 'running', attempts = 1 WHERE id = \(Int64(second)!)")
            #expect(try await store("e6", in: "D2"))
            #expect(try await jobs() == [#"["D1", "D2"]"#, #"["D3", "D1"]"#, #"["D2"]"#])
            #expect(try await waiting("D2") != first)
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

    /// Whether a delivery run will read the conversation is asked of the job it names, by the job's
    /// key (sql/0040). Asked with the job's state beside its key, as it was, the planner read every
    /// queued (or running) job of every organization instead, through the partial index on that
    /// state, when the statistics were taken while few jobs waited; with the key alone and a small
    /// queue, it scanned the table. Either way an event's cost grew with the whole queue's backlog.
    @Test("a stored event and a lease check look the conversation's jobs up by their key")
    func jobsAreReadByKey() async throws {
        try await withTestDatabase { db in
            let (org, connection) = try await organizationWithSlack(db)
            // One job of this organization running, analyzed while it was the queue's only one (as
            // on a new deployment), then another organization's backlog. Nothing but the statements
            // under test reads `jobs` from here on (the counts below are the database's, not a
            // session's).
            let running = try await db.adminQueryText(
                "INSERT INTO jobs (org_id, kind, payload, state, attempts) VALUES ('\(org.rawValue)', 'sync.run', '{}', 'running', 1) RETURNING id::text"
            )
            try await db.adminQuery("ANALYZE jobs")
            let other = try await db.organization()
            try await db.adminQuery(
                """
                INSERT INTO jobs (org_id, kind, payload, state)
                SELECT \(other.rawValue), 'sync.run', '{}', CASE WHEN n % 10 = 0 THEN 'running' ELSE 'queued' END FROM generate_series(1, 500) n
                """)
            let wholeQueue = ["seq_scan", "jobs_claimable", "jobs_claim_by_organization", "jobs_leases"]
            let before = try await scans(db)
            // Each event in D1 after the first finds its job waiting.
            for key in ["e1", "e2", "e3"] {
                _ = try await db.service.withSelfScopingStatement(logger: db.logger) { pooled in
                    let stored = try await messages.store(
                        org, message(key, connection: connection, conversation: "D1"), body: nil, now: Date(), job: job, on: pooled,
                        logger: db.logger)
                    try await Self.reportStatistics(on: pooled, db)
                    return stored
                }
            }
            // Held by a running job's current run: the next event, and another run's lease, find it so.
            try await db.adminQuery(
                "UPDATE relay_conversation_leases SET lease_owner = \(Int64(running)!), lease_attempt = 1, leased_until = now() + interval '1 hour'")
            let held = try await db.service.withTenant(org, logger: db.logger) { scoped in
                #expect(
                    try await messages.store(
                        org, message("e4", connection: connection, conversation: "D1"), body: nil, now: Date(), job: job, on: scoped,
                        logger: db.logger))
                let next = try await messages.next(
                    org, connection: connection, conversation: "D1", holder: .init(job: Int64(running)! + 1_000, attempt: 1), now: Date(),
                    until: Date().addingTimeInterval(60), on: scoped, logger: db.logger)
                try await Self.reportStatistics(on: scoped, db)
                if case .heldElsewhere = next { return false }
                return true
            }
            let after = try await scans(db)
            #expect(wholeQueue.allSatisfy { after[$0] == before[$0] }, "the queue was read whole: \(before) → \(after)")
            #expect((after["jobs_pkey"] ?? 0) > (before["jobs_pkey"] ?? 0))
            #expect(!held, "the running job's run keeps the conversation")
            #expect(try await db.adminQueryText("SELECT count(*)::text FROM jobs WHERE kind = 'relay.deliver'") == "1", "one job for D1")
        }
    }

    /// The scans `jobs` has served: sequential (`seq_scan`) and through each of its indexes.
    private func scans(_ db: TestDatabase) async throws -> [String: Int] {
        let rows = try await db.adminRows(
            """
            SELECT indexrelname || '=' || idx_scan FROM pg_stat_user_indexes WHERE relname = 'jobs'
            UNION ALL SELECT 'seq_scan=' || seq_scan FROM pg_stat_user_tables WHERE relname = 'jobs'
            """)
        return Dictionary(
            uniqueKeysWithValues: rows.map { row in
                let parts = row.split(separator: "=")
                return (String(parts[0]), Int(parts[1]) ?? 0)
            })
    }

    /// Has the connection's backend report its statistics once its transaction ends, rather than up
    /// to a second later.
    private static func reportStatistics(on connection: PostgresConnection, _ db: TestDatabase) async throws {
        try await connection.query("SELECT pg_stat_force_next_flush()", logger: db.logger)
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
