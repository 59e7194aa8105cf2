import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// The delivery ledger (`relay_messages` and their steps, sql/0027).
public struct RelayMessageRepository: Sendable {
    public init() {}

    static let columns = """
        id, kind, source_connection_id, event_key, source_conversation, source_message_id, sender_account, recipient_account, to_bot,
        thread_id, state, cause, cause_message, attempts, retry_job_id, sender_person_id, recipient_person_id, destination_connection_id, send_as,
        destination_conversation, destination_message_id, sent_at, received_at, delivered_at, updated_at
        """

    /// The job an event queues when no run will read its conversation: a connection's delivery
    /// job, whose payload lists its conversations (`{"connection", "conversations": [...]}`), which
    /// later events of other conversations join while it waits to start, up to
    /// `conversationsPerJob` conversations (sql/0043).
    public struct DeliveryJob: Sendable {
        public var kind: String
        /// JSON.
        public var payload: String
        public var maxAttempts: Int
        public var conversationsPerJob: Int

        public init(kind: String, payload: String, maxAttempts: Int, conversationsPerJob: Int) {
            self.kind = kind
            self.payload = payload
            self.maxAttempts = maxAttempts
            self.conversationsPerJob = conversationsPerJob
        }
    }

    /// Stores a message as its event arrived, with its first step, and makes sure a delivery run
    /// reads its conversation after the caller's transaction: a run that is its job's current one
    /// holds the conversation, or the job queued for it last still waits and is due; else `job` is
    /// queued (and noted as the conversation's waiting job). One round trip, which scopes itself
    /// to `organization`: on a pooled connection outside a transaction it is one (sql/0038).
    /// Returns false for an event stored before (a platform's retry), which adds nothing.
    public func store(
        _ organization: OrganizationID, _ message: RelayMessage, body: String?, now: Date, job: DeliveryJob, on db: PostgresConnection,
        logger: Logger
    ) async throws -> Bool {
        let statement = ReceiveStatement(organization: organization.rawValue, message: message, body: body, now: now, job: job)
        for try await stored in try await db.execute(statement, logger: logger).decode(Bool.self) { return stored }
        return false
    }

    public func get(_ organization: OrganizationID, _ id: RelayMessageID, on db: PostgresConnection, logger: Logger) async throws -> RelayMessage {
        let rows = try await db.query(
            "SELECT \(unescaped: Self.columns) FROM relay_messages WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
        guard let message = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "message") }
        return message
    }

    /// The message's text and files (JSON) while it is kept.
    public func body(_ organization: OrganizationID, _ id: RelayMessageID, on db: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await db.query(
            "SELECT body::text FROM relay_messages WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)", logger: logger)
        for try await body in rows.decode(String?.self) { return body }
        return nil
    }

    /// The delivered message that a later event of the source conversation refers to (an edit,
    /// a delete, a thread reply): the first relayed message with that source id.
    public func delivered(
        _ organization: OrganizationID, connection: ConnectionID, sourceMessageID: String, on db: PostgresConnection, logger: Logger
    ) async throws -> RelayMessage? {
        try await Self.decode(
            db.execute(
                DeliveredStatement(organization: organization.rawValue, connection: connection.rawValue, sourceMessageID: sourceMessageID),
                logger: logger)
        ).first
    }

    /// The message the relay posted into `conversation` of `connection` that a reply there
    /// answers: the one with the thread's id, else the latest.
    public func answered(
        _ organization: OrganizationID, connection: ConnectionID, conversation: String, thread: String?, on db: PostgresConnection,
        logger: Logger
    ) async throws -> RelayMessage? {
        try await Self.decode(
            db.execute(
                AnsweredStatement(organization: organization.rawValue, connection: connection.rawValue, conversation: conversation, thread: thread),
                logger: logger)
        ).first
    }

    /// Stores what became of a message and appends the step that says so. A message that is no
    /// longer pending loses its text unless `keepBody`.
    public func record(
        _ organization: OrganizationID, _ message: RelayMessage, step: RelayMessage.Step, keepBody: Bool, nothingPosted: Bool = false,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        let recording = Recording(message: message, step: step, keepBody: keepBody, nothingPosted: nothingPosted)
        try await db.run(recording.statement(organization), logger: logger)
    }

    /// What became of a message, with the step that says so: its text is dropped once it is
    /// settled unless `keepBody`; `nothingPosted` clears the note of its attempt (a platform's
    /// refusal posted nothing).
    public struct Recording: Sendable {
        public var message: RelayMessage
        public var step: RelayMessage.Step
        public var keepBody: Bool
        public var nothingPosted: Bool

        public init(message: RelayMessage, step: RelayMessage.Step, keepBody: Bool, nothingPosted: Bool = false) {
            self.message = message
            self.step = step
            self.keepBody = keepBody
            self.nothingPosted = nothingPosted
        }

        func statement(_ organization: OrganizationID) -> RecordStatement {
            RecordStatement(
                organization: organization.rawValue, message: message, step: step, clearBody: !keepBody && !message.state.isPending,
                nothingPosted: nothingPosted)
        }
    }

    public func steps(_ organization: OrganizationID, _ id: RelayMessageID, on db: PostgresConnection, logger: Logger) async throws
        -> [RelayMessage.Step]
    {
        let rows = try await db.query(
            """
            SELECT step, cause, detail, at FROM relay_message_steps
            WHERE org_id = \(organization.rawValue) AND message_id = \(id.rawValue) ORDER BY position
            """, logger: logger)
        var steps: [RelayMessage.Step] = []
        for try await (step, cause, detail, at) in rows.decode((String, String?, String?, Date).self) {
            steps.append(.init(step: step, cause: cause, detail: detail, at: at))
        }
        return steps
    }

    static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [RelayMessage] where Rows.Element == PostgresRow {
        var messages: [RelayMessage] = []
        for try await row in rows { messages.append(try message(row.makeRandomAccess())) }
        return messages
    }

    /// A message from the first cells of a row, in ``columns``' order.
    static func message(_ r: PostgresRandomAccessRow) throws -> RelayMessage {
        RelayMessage(
            id: .init(try r[0].decode(UUID.self)), kind: RelayMessage.Kind(rawValue: try r[1].decode(String.self)) ?? .message,
            sourceConnectionID: .init(try r[2].decode(UUID.self)), eventKey: try r[3].decode(String.self),
            sourceConversation: try r[4].decode(String.self), sourceMessageID: try r[5].decode(String.self),
            senderAccount: try r[6].decode(String.self), recipientAccount: try r[7].decode(String?.self), toBot: try r[8].decode(Bool.self),
            threadID: try r[9].decode(String?.self), state: RelayState(rawValue: try r[10].decode(String.self)) ?? .failed,
            cause: try r[11].decode(String?.self), causeMessage: try r[12].decode(String?.self), attempts: try r[13].decode(Int.self),
            retryJobID: try r[14].decode(Int64?.self), senderPersonID: try r[15].decode(UUID?.self).map(PersonID.init),
            recipientPersonID: try r[16].decode(UUID?.self).map(PersonID.init),
            destinationConnectionID: try r[17].decode(UUID?.self).map(ConnectionID.init), sendAs: try r[18].decode(String?.self),
            destinationConversation: try r[19].decode(String?.self), destinationMessageID: try r[20].decode(String?.self),
            sentAt: try r[21].decode(Date.self), receivedAt: try r[22].decode(Date.self), deliveredAt: try r[23].decode(Date?.self),
            updatedAt: try r[24].decode(Date.self))
    }
}
