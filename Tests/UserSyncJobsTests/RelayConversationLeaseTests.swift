import Foundation
import Testing
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncTestSupport

/// A relay conversation is delivered by one run of one job at a time. A run whose job lease lapsed
/// (its worker too busy to extend it) keeps the conversation until the reaper gives its job back;
/// then the job's new run takes it over, and the old one, renewing its hold before its next
/// message, finds it gone and waits.
@Suite("Relay conversation leases follow the job's current run")
struct RelayConversationLeaseTests {
    let messages = RelayMessageRepository()
    let connection = ConnectionID.random()
    let conversation = "D123"

    @Test(
        "a run holds its conversation while its job is its own, lapsed lease or not; the job's next run takes it over; the old one cannot take it back"
    )
    func aLapsedRunLosesItsConversation() async throws {
        try await withTestDatabase { db in
            let org = try await organizationWithAPendingMessage(db)
            let queue = JobQueue(database: db.service)
            let id = try #require(try await db.enqueue([try NewJob(kind: "relay.deliver", payload: Numbered(n: 1))], for: org)[0])
            let first = try await queue.claim(worker: "a", limit: 1, perOrganization: 1, lease: .seconds(60), logger: db.logger).jobs
            let old = RelayMessageRepository.LeaseHolder(job: id, attempt: try #require(first.first).attempts)
            let next = RelayMessageRepository.LeaseHolder(job: id, attempt: old.attempt + 1)
            #expect(try await lease(old, db, org))
            #expect(try await !lease(next, db, org), "the job's current run holds the conversation")

            // Its job lease lapses (a busy worker late to renew it): the run still holds the conversation.
            try await db.adminQuery("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)")
            #expect(try await !lease(next, db, org), "a lapsed job lease alone frees nothing")
            #expect(try await lease(old, db, org), "the run renews its hold")

            // The reaper gives the job back and a new run claims it, while the old one still runs.
            _ = try await queue.reapExpiredLeases(logger: db.logger)
            let second = try await queue.claim(worker: "b", limit: 1, perOrganization: 1, lease: .seconds(60), logger: db.logger).jobs
            #expect(second.first?.attempts == next.attempt)
            #expect(try await lease(next, db, org), "the old run is no longer its job's current run")
            #expect(try await !lease(old, db, org), "the old run cannot take it back: it waits, and its outcome is not recorded")
            try await db.service.withTenant(org, logger: db.logger) { connection in
                try await messages.release(
                    org, connection: self.connection, conversation: conversation, holder: old, on: connection, logger: db.logger)
            }
            #expect(try await lease(next, db, org), "the old run's release leaves the new run's hold alone")
        }
    }

    @Test("the conversation's waiting job, taking the lease, is no longer waiting; another run taking it leaves the note")
    func theWaitingJobTakingTheLeaseIsNoLongerWaiting() async throws {
        try await withTestDatabase { db in
            let org = try await organizationWithAPendingMessage(db)
            let ids = try await db.enqueue((1...2).map { try NewJob(kind: "relay.deliver", payload: Numbered(n: $0)) }, for: org)
            let (waiting, other) = (try #require(ids[0]), try #require(ids[1]))
            try await db.adminQuery(
                """
                INSERT INTO relay_conversation_leases (org_id, source_connection_id, source_conversation, queued_job)
                VALUES (\(org.rawValue), \(connection.rawValue), \(conversation), \(waiting))
                """)
            func noted() async throws -> String {
                try await db.adminQueryText("SELECT coalesce(queued_job::text, 'none') FROM relay_conversation_leases")
            }
            #expect(try await lease(.init(job: other, attempt: 1), db, org))
            #expect(try await noted() == "\(waiting)", "another run's lease leaves the waiting job noted")
            try await db.adminQuery("UPDATE relay_conversation_leases SET lease_owner = NULL, lease_attempt = NULL, leased_until = NULL")
            // An event whose check began before this lease sees the job as still queued: what
            // tells it the job no longer waits is the lease row, read after the lock it waited for.
            #expect(try await lease(.init(job: waiting, attempt: 1), db, org))
            #expect(try await noted() == "none")
        }
    }

    @Test(
        "moving on records the message before and reads the next, saying whether another waits; with nothing left the run gives the conversation back"
    )
    func movingOnRecordsReadsAndGivesBack() async throws {
        try await withTestDatabase { db in
            let org = try await organizationWithAPendingMessage(db)
            try await addMessage("e2", to: org, db)
            let holder = RelayMessageRepository.LeaseHolder(job: 1, attempt: 1)
            func moveOn(recording message: RelayMessage? = nil) async throws -> RelayMessageRepository.Next {
                let now = Date()
                var delivered = message
                delivered?.state = .delivered
                delivered?.deliveredAt = now
                return try await db.service.withSelfScopingStatement(logger: db.logger) { connection in
                    try await messages.next(
                        org, connection: self.connection, conversation: conversation, holder: holder, now: now, until: now.addingTimeInterval(300),
                        recording: delivered.map { .init(message: $0, step: .init(step: "delivered", at: now), keepBody: false) }, on: connection,
                        logger: db.logger)
                }
            }
            guard case .head(let first, _, let earlier, let more) = try await moveOn() else {
                Issue.record("no head")
                return
            }
            #expect(first.eventKey == "e1" && earlier == nil && more)
            guard case .head(let second, _, _, let moreAfter) = try await moveOn(recording: first) else {
                Issue.record("no second head")
                return
            }
            #expect(second.eventKey == "e2" && !moreAfter)
            guard case .givenBack = try await moveOn(recording: second) else {
                Issue.record("the conversation was not given back")
                return
            }
            #expect(
                try await db.adminQueryText(
                    """
                    SELECT string_agg(m.event_key || ' ' || m.state || ' ' || s.step, ', ' ORDER BY m.sequence, s.position)
                    FROM relay_messages m JOIN relay_message_steps s ON s.org_id = m.org_id AND s.message_id = m.id
                    """) == "e1 delivered delivered, e2 delivered delivered")
            #expect(try await db.adminQueryText("SELECT coalesce(lease_owner::text, 'none') FROM relay_conversation_leases") == "none")
        }
    }

    /// Whether `holder`, moving on in the conversation, holds it. Its message stays pending (it
    /// is never recorded), so a run holding the conversation keeps it.
    private func lease(_ holder: RelayMessageRepository.LeaseHolder, _ db: TestDatabase, _ org: OrganizationID) async throws -> Bool {
        let now = Date()
        let next = try await db.service.withSelfScopingStatement(logger: db.logger) { connection in
            try await messages.next(
                org, connection: self.connection, conversation: conversation, holder: holder, now: now, until: now.addingTimeInterval(300),
                on: connection, logger: db.logger)
        }
        if case .heldElsewhere = next { return false }
        return true
    }

    /// An organization with a Slack connection and one message waiting in the conversation.
    private func organizationWithAPendingMessage(_ db: TestDatabase) async throws -> OrganizationID {
        let org = try await db.organization()
        try await db.adminQuery(
            """
            INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials, credentials_key_id, api_base_url)
            VALUES (\(org.rawValue), \(connection.rawValue), 'slack', 'Slack', 'T1', '\\x00'::bytea, 'k1', 'http://localhost')
            """)
        try await addMessage("e1", to: org, db)
        return org
    }

    /// A message waiting in the conversation after those before it.
    private func addMessage(_ key: String, to org: OrganizationID, _ db: TestDatabase) async throws {
        try await db.adminQuery(
            """
            INSERT INTO relay_messages (org_id, id, source_connection_id, event_key, kind, source_conversation, source_message_id,
                                        sender_account, to_bot, state, sent_at, received_at, updated_at)
            VALUES (\(org.rawValue), \(UUID()), \(connection.rawValue), \(key), 'message', \(conversation), \(key), 'U1', true, 'received',
                    now(), now(), now())
            """)
    }
}
