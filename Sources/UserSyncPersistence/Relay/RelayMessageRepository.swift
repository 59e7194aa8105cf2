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

    /// Stores a message as its event arrived, with its first step; nil when the same event was
    /// stored before (a platform's retry), which adds nothing.
    public func insert(
        _ organization: OrganizationID, _ message: RelayMessage, body: String?, on db: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await db.execute(InsertStatement(organization: organization.rawValue, message: message, body: body), logger: logger)
        for try await count in rows.decode(Int.self) { return count > 0 }
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
        let rows = try await db.execute(BodyStatement(organization: organization.rawValue, id: id.rawValue), logger: logger)
        for try await body in rows.decode(String?.self) { return body }
        return nil
    }

    /// The first message of a conversation still to be delivered, in the order they arrived.
    public func head(
        _ organization: OrganizationID, connection: ConnectionID, conversation: String, on db: PostgresConnection, logger: Logger
    ) async throws -> RelayMessage? {
        try await Self.decode(
            db.execute(
                HeadStatement(organization: organization.rawValue, connection: connection.rawValue, conversation: conversation), logger: logger)
        ).first
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
        _ organization: OrganizationID, _ message: RelayMessage, step: RelayMessage.Step, keepBody: Bool, on db: PostgresConnection,
        logger: Logger
    ) async throws {
        let clear = !keepBody && !message.state.isPending
        try await db.run(
            RecordStatement(organization: organization.rawValue, message: message, step: step, clearBody: clear), logger: logger)
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
        for try await row in rows {
            let c = try row.decode(
                (
                    UUID, String, UUID, String, String, String, String, String?, Bool, String?, String, String?, String?, Int, Int64?,
                    UUID?, UUID?, UUID?, String?, String?, String?, Date, Date, Date?, Date
                ).self)
            messages.append(
                RelayMessage(
                    id: .init(c.0), kind: RelayMessage.Kind(rawValue: c.1) ?? .message, sourceConnectionID: .init(c.2), eventKey: c.3,
                    sourceConversation: c.4, sourceMessageID: c.5, senderAccount: c.6, recipientAccount: c.7, toBot: c.8, threadID: c.9,
                    state: RelayState(rawValue: c.10) ?? .failed, cause: c.11, causeMessage: c.12, attempts: c.13, retryJobID: c.14,
                    senderPersonID: c.15.map(PersonID.init), recipientPersonID: c.16.map(PersonID.init),
                    destinationConnectionID: c.17.map(ConnectionID.init), sendAs: c.18, destinationConversation: c.19,
                    destinationMessageID: c.20, sentAt: c.21, receivedAt: c.22, deliveredAt: c.23, updatedAt: c.24))
        }
        return messages
    }
}
