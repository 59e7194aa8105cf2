import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension RelayMessageRepository {
    // MARK: Conversation leases

    /// One run of a delivery job: the job and its attempt. The queue gives a job whose lease
    /// lapsed to a new run (the next attempt) while the old one may still be delivering.
    public struct LeaseHolder: Sendable, Equatable {
        public var job: Int64
        public var attempt: Int

        public init(job: Int64, attempt: Int) {
            self.job = job
            self.attempt = attempt
        }
    }

    /// What a run finds when it moves on in its conversation.
    public enum Next: Sendable {
        /// Another run holds the conversation and is still its job's current one.
        case heldElsewhere
        /// Nothing for the run's job: nothing pending, or the head waits for another job's
        /// retry. The run has given the conversation back.
        case givenBack
        /// The head, the run's to deliver, marked as attempted from `now`, with its text and files
        /// (JSON) while they are kept, and when an attempt of it began before if one did that did
        /// not end in a platform's refusal; `more` when another message waits behind it.
        case head(RelayMessage, body: String?, earlierAttempt: Date?, more: Bool)
    }

    /// Stores `recording` (what became of the message before, as
    /// ``record(_:_:step:keepBody:nothingPosted:on:logger:)`` stores it), takes or renews the
    /// conversation's lease for `holder` until `until`, unless another run holds it and is still
    /// its job's current run, and then reads the first message still to deliver, in the order they
    /// arrived: one round trip that scopes itself, each step a statement after the one before
    /// (sql/0044). `db` is a pooled connection outside a transaction, or in one of `organization`'s.
    public func next(
        _ organization: OrganizationID, connection: ConnectionID, conversation: String, holder: LeaseHolder, now: Date, until: Date,
        recording: Recording? = nil, on db: PostgresConnection, logger: Logger
    ) async throws -> Next {
        let statement = NextStatement(
            organization: organization.rawValue, connection: connection.rawValue, conversation: conversation, holder: holder, until: until,
            now: now, recording: recording?.statement(organization))
        for try await row in try await db.execute(statement, logger: logger) {
            let r = row.makeRandomAccess()
            guard try r[27].decode(Bool.self) else { return .heldElsewhere }
            guard try r[0].decode(UUID?.self) != nil else { return .givenBack }
            return .head(
                try Self.message(r), body: try r[25].decode(String?.self), earlierAttempt: try r[26].decode(Date?.self),
                more: try r[28].decode(Bool.self))
        }
        return .heldElsewhere
    }

    /// Gives the lease back (only if `holder` still holds it).
    public func release(
        _ organization: OrganizationID, connection: ConnectionID, conversation: String, holder: LeaseHolder, on db: PostgresConnection,
        logger: Logger
    ) async throws {
        try await db.run(
            ReleaseStatement(organization: organization.rawValue, connection: connection.rawValue, conversation: conversation, holder: holder),
            logger: logger)
    }

    // MARK: The ledger, for admins

    public struct Filter: Sendable, Equatable {
        public var state: RelayState?
        public var person: PersonID?
        public var connection: ConnectionID?

        public init(state: RelayState? = nil, person: PersonID? = nil, connection: ConnectionID? = nil) {
            self.state = state
            self.person = person
            self.connection = connection
        }
    }

    /// Messages newest first, matching `filter`, older than a cursor's message.
    public func list(
        _ organization: OrganizationID, filter: Filter, before: (Date, RelayMessageID)?, limit: Int, on db: PostgresConnection, logger: Logger
    ) async throws -> [RelayMessage] {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM relay_messages
                WHERE org_id = \(organization.rawValue)
                  AND (\(filter.state?.rawValue)::text IS NULL OR state = \(filter.state?.rawValue))
                  AND (\(filter.person?.rawValue)::uuid IS NULL
                       OR sender_person_id = \(filter.person?.rawValue) OR recipient_person_id = \(filter.person?.rawValue))
                  AND (\(filter.connection?.rawValue)::uuid IS NULL
                       OR source_connection_id = \(filter.connection?.rawValue) OR destination_connection_id = \(filter.connection?.rawValue))
                  AND (\(before?.0)::timestamptz IS NULL OR (received_at, id) < (\(before?.0), \(before?.1.rawValue)))
                ORDER BY received_at DESC, id DESC
                LIMIT \(limit)
                """, logger: logger))
    }

    /// How many messages are in each state, by the platform they were written on and the one
    /// they went to, optionally of one person.
    public func counts(
        _ organization: OrganizationID, person: PersonID?, on db: PostgresConnection, logger: Logger
    ) async throws -> [(from: Platform, to: Platform?, state: RelayState, count: Int)] {
        let rows = try await db.query(
            """
            SELECT s.platform, d.platform, m.state, count(*)::bigint
            FROM relay_messages m
            JOIN platform_connections s ON s.org_id = m.org_id AND s.id = m.source_connection_id
            LEFT JOIN platform_connections d ON d.org_id = m.org_id AND d.id = m.destination_connection_id
            WHERE m.org_id = \(organization.rawValue)
              AND (\(person?.rawValue)::uuid IS NULL OR m.sender_person_id = \(person?.rawValue) OR m.recipient_person_id = \(person?.rawValue))
            GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS FIRST, 3
            """, logger: logger)
        var counts: [(Platform, Platform?, RelayState, Int)] = []
        for try await (from, to, state, count) in rows.decode((String, String?, String, Int64).self) {
            guard let from = Platform(rawValue: from), let state = RelayState(rawValue: state) else { continue }
            counts.append((from, to.flatMap(Platform.init(rawValue:)), state, Int(count)))
        }
        return counts
    }

    /// Drops the text of an undelivered (failed or dead) message last changed before `cutoff`.
    /// Returns when it was last changed if its text is still kept (changed since: a replay).
    public func dropBody(
        _ organization: OrganizationID, _ id: RelayMessageID, changedBefore cutoff: Date, on db: PostgresConnection, logger: Logger
    ) async throws -> Date? {
        let rows = try await db.query(
            """
            WITH message AS (
                SELECT updated_at FROM relay_messages
                WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND body IS NOT NULL AND state IN ('failed', 'dead')
            ), dropped AS (
                UPDATE relay_messages SET body = NULL
                WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND body IS NOT NULL AND state IN ('failed', 'dead')
                  AND updated_at < \(cutoff)
                RETURNING id
            )
            SELECT updated_at FROM message WHERE NOT EXISTS (SELECT FROM dropped)
            """, logger: logger)
        for try await changed in rows.decode(Date.self) { return changed }
        return nil
    }

    // MARK: Notices

    /// Reserves the right to tell `person` about `reason` at `now`: true (and recorded) when the
    /// last such notice is at least `interval` old, false when it is too recent.
    public func reserveNotice(
        _ organization: OrganizationID, person: PersonID, reason: String, interval: TimeInterval, now: Date, on db: PostgresConnection,
        logger: Logger
    ) async throws -> Bool {
        let rows = try await db.query(
            """
            INSERT INTO relay_notices AS n (org_id, person_id, reason, notified_at)
            VALUES (\(organization.rawValue), \(person.rawValue), \(reason), \(now))
            ON CONFLICT (org_id, person_id, reason) DO UPDATE SET notified_at = excluded.notified_at
                WHERE n.notified_at <= \(now.addingTimeInterval(-interval))
            RETURNING person_id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }
}
