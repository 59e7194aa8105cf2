import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension RelayMessageRepository {
    /// The counterpart on `destination` of message `messageID` of `connection`: where the relay
    /// posted a message written there, or where a message the relay posted there came from. A
    /// thread reply on one side is threaded under it on the other. Found by the message id alone
    /// (the connections are checked in `IS TRUE` conditions, which no index serves), so that no
    /// plan walks a connection's every message (sql/0030).
    public func counterpart(
        _ organization: OrganizationID, connection: ConnectionID, messageID: String, destination: ConnectionID, on db: PostgresConnection,
        logger: Logger
    ) async throws -> String? {
        let rows = try await db.execute(
            CounterpartStatement(
                organization: organization.rawValue, connection: connection.rawValue, messageID: messageID, destination: destination.rawValue),
            logger: logger)
        for try await id in rows.decode(String?.self) { return id }
        return nil
    }

    /// Which of the messages `ids` of `destination` the ledger records as posted there.
    public func recordedPosts(
        _ organization: OrganizationID, on destination: ConnectionID, among ids: [String], on db: PostgresConnection, logger: Logger
    ) async throws -> Set<String> {
        let rows = try await db.query(
            """
            SELECT destination_message_id FROM relay_messages
            WHERE org_id = \(organization.rawValue) AND destination_message_id = ANY(\(ids)::text[])
              AND destination_connection_id = \(destination.rawValue)
            """, logger: logger)
        var recorded = Set<String>()
        for try await id in rows.decode(String.self) { recorded.insert(id) }
        return recorded
    }

    /// For the accounts `platformUserIDs` of `source`: their owner's name and account on
    /// `destination` (nil where they have none), to turn mentions into the other platform's.
    public func mentions(
        _ organization: OrganizationID, source: ConnectionID, platformUserIDs: [String], destination: ConnectionID, on db: PostgresConnection,
        logger: Logger
    ) async throws -> [String: (name: String, destinationUserID: String?)] {
        guard !platformUserIDs.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            SELECT s.platform_user_id, coalesce(p.display_name, p.email_normalized), d.platform_user_id
            FROM platform_accounts s
            JOIN people p ON p.org_id = s.org_id AND p.id = s.person_id
            LEFT JOIN LATERAL (
                SELECT platform_user_id FROM platform_accounts
                WHERE org_id = s.org_id AND person_id = s.person_id AND connection_id = \(destination.rawValue) AND active
                LIMIT 1
            ) d ON true
            WHERE s.org_id = \(organization.rawValue) AND s.connection_id = \(source.rawValue)
              AND s.platform_user_id = ANY(\(platformUserIDs)::text[])
            """, logger: logger)
        var found: [String: (String, String?)] = [:]
        for try await (account, name, there) in rows.decode((String, String, String?).self) { found[account] = (name, there) }
        return found
    }

    /// Gives a conversation that a connection's delivery job could not finish to `successor`, a
    /// job of its own: the retry of its message waiting on `job` becomes the successor's, and the
    /// successor is the conversation's waiting job. The conversation's lease is already given back.
    public func handOver(
        _ organization: OrganizationID, connection: ConnectionID, conversation: String, from job: Int64, to successor: Int64,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        try await db.query(
            """
            WITH moved AS (
                UPDATE relay_messages SET retry_job_id = \(successor)
                WHERE org_id = \(organization.rawValue) AND source_connection_id = \(connection.rawValue)
                  AND source_conversation = \(conversation) AND state = 'retrying' AND retry_job_id = \(job)
            )
            INSERT INTO relay_conversation_leases (org_id, source_connection_id, source_conversation, queued_job)
            VALUES (\(organization.rawValue), \(connection.rawValue), \(conversation), \(successor))
            ON CONFLICT (org_id, source_connection_id, source_conversation) DO UPDATE SET queued_job = excluded.queued_job
            """, logger: logger)
    }

    /// The retrying messages whose retries the dead job `job` owned.
    public func owned(_ organization: OrganizationID, job: Int64, on db: PostgresConnection, logger: Logger) async throws -> [RelayMessage] {
        try await Self.decode(
            db.query(
                """
                SELECT \(unescaped: Self.columns) FROM relay_messages
                WHERE org_id = \(organization.rawValue) AND retry_job_id = \(job) AND state = 'retrying'
                """, logger: logger))
    }
}
