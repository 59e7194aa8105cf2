import Foundation
import PostgresNIO
import UserSyncDomain

// The relay's statements that run for every message (an event stored, a message delivered):
// prepared once per pooled connection (``HotStatement``). Planning them anew each time cost
// PostgreSQL about as much as running them. Every parameter is cast to the type its Swift value
// is sent as, so that the types PostgreSQL infers when preparing match the values bound.

extension RelayMessageRepository {
    /// A new message with its first step, and, when no delivery run will read its conversation
    /// after this transaction, the connection's waiting delivery job joined or a new one queued,
    /// in one round trip (sql/0038, 0043): true when it was stored, false for an event seen before.
    struct ReceiveStatement: HotStatement {
        static let sql = """
            SELECT usersync_relay_receive($1::uuid, $2::uuid, $3::text, $4::uuid, $5::text, $6::text, $7::text, $8::text, $9::text,
                                          $10::boolean, $11::text, $12::text::jsonb, $13::text, $14::timestamptz, $15::timestamptz,
                                          $16::timestamptz, $17::text, $18::text::jsonb, $19::integer, $20::integer)
            """
        let organization: UUID
        let message: RelayMessage
        let body: String?
        let now: Date
        let job: RelayMessageRepository.DeliveryJob

        func makeBindings() -> PostgresBindings {
            var b = PostgresBindings(capacity: 20)
            b.append(organization)
            b.append(message.id.rawValue)
            b.append(message.kind.rawValue)
            b.append(message.sourceConnectionID.rawValue)
            b.append(message.eventKey)
            b.append(message.sourceConversation)
            b.append(message.sourceMessageID)
            b.append(message.senderAccount)
            b.append(message.recipientAccount)
            b.append(message.toBot)
            b.append(message.threadID)
            b.append(body)
            b.append(message.state.rawValue)
            b.append(message.sentAt)
            b.append(message.receivedAt)
            b.append(now)
            b.append(job.kind)
            b.append(job.payload)
            b.append(job.maxAttempts)
            b.append(job.conversationsPerJob)
            return b
        }
    }

    struct RecordStatement: HotStatement {
        static let sql = "WITH updated AS (\(update))\n\(step)"
        /// The message's new state (`$1`–`$22`), returning its id…
        static let update = """
                UPDATE relay_messages SET
                    state = $1::text, cause = $2::text, cause_message = $3::text, attempts = $4::bigint, retry_job_id = $5::bigint,
                    sender_account = $6::text, recipient_account = $7::text, sender_person_id = $8::uuid, recipient_person_id = $9::uuid,
                    destination_connection_id = $10::uuid, send_as = $11::text, destination_conversation = $12::text,
                    destination_message_id = $13::text, delivered_at = $14::timestamptz, updated_at = $15::timestamptz,
                    body = CASE WHEN $16::boolean THEN NULL ELSE body END,
                    attempt_started_at = CASE WHEN $22::boolean THEN NULL ELSE attempt_started_at END
                WHERE org_id = $17::uuid AND id = $18::uuid
                RETURNING id
            """
        /// …and the step that says so.
        static let step = """
            INSERT INTO relay_message_steps (org_id, message_id, position, step, cause, detail, at)
            SELECT $17::uuid, id,
                   (SELECT coalesce(max(position) + 1, 0) FROM relay_message_steps WHERE org_id = $17::uuid AND message_id = $18::uuid),
                   $19::text, $20::text, $21::text, $15::timestamptz
            FROM updated
            """
        let organization: UUID
        let message: RelayMessage
        let step: RelayMessage.Step
        let clearBody: Bool
        let nothingPosted: Bool

        func makeBindings() -> PostgresBindings {
            var b = PostgresBindings(capacity: 22)
            Self.appendOutcome(of: self, to: &b)
            b.append(organization)
            b.append(message.id.rawValue)
            b.append(step.step)
            b.append(step.cause)
            b.append(step.detail)
            b.append(nothingPosted)
            return b
        }

        /// The message's new cells, the step's time and whether the text goes, in the order both
        /// this statement (`$1`–`$16`) and `usersync_relay_next` (``NextStatement``) take them;
        /// NULLs when there is nothing to record.
        static func appendOutcome(of recording: RecordStatement?, to b: inout PostgresBindings) {
            let message = recording?.message
            b.append(message?.state.rawValue)
            b.append(message?.cause)
            b.append(message?.causeMessage)
            b.append(message?.attempts)
            b.append(message?.retryJobID)
            b.append(message?.senderAccount)
            b.append(message?.recipientAccount)
            b.append(message?.senderPersonID?.rawValue)
            b.append(message?.recipientPersonID?.rawValue)
            b.append(message?.destinationConnectionID?.rawValue)
            b.append(message?.sendAs)
            b.append(message?.destinationConversation)
            b.append(message?.destinationMessageID)
            b.append(message?.deliveredAt)
            b.append(recording?.step.at)
            b.append(recording?.clearBody)
        }
    }

    struct DeliveredStatement: HotStatement {
        static let sql = """
            SELECT \(RelayMessageRepository.columns) FROM relay_messages
            WHERE org_id = $1::uuid AND source_connection_id = $2::uuid AND source_message_id = $3::text AND kind = 'message'
              AND destination_message_id IS NOT NULL
            ORDER BY sequence LIMIT 1
            """
        let organization: UUID
        let connection: UUID
        let sourceMessageID: String

        func makeBindings() -> PostgresBindings { bindings(organization, connection, sourceMessageID) }
    }

    struct AnsweredStatement: HotStatement {
        static let sql = """
            SELECT \(RelayMessageRepository.columns) FROM relay_messages
            WHERE org_id = $1::uuid AND destination_connection_id = $2::uuid AND destination_conversation = $3::text
              AND destination_message_id IS NOT NULL AND ($4::text IS NULL OR destination_message_id = $4::text)
            ORDER BY delivered_at DESC LIMIT 1
            """
        let organization: UUID
        let connection: UUID
        let conversation: String
        let thread: String?

        func makeBindings() -> PostgresBindings {
            var b = bindings(organization, connection, conversation)
            b.append(thread)
            return b
        }
    }

    struct CounterpartStatement: HotStatement {
        static let sql = """
            (SELECT destination_message_id FROM relay_messages
             WHERE org_id = $1::uuid AND source_connection_id = $2::uuid AND source_message_id = $3::text AND kind = 'message'
               AND (destination_connection_id = $4::uuid) IS TRUE AND destination_message_id IS NOT NULL
             LIMIT 1)
            UNION ALL
            (SELECT source_message_id FROM relay_messages
             WHERE org_id = $1::uuid AND destination_message_id = $3::text AND (destination_connection_id = $2::uuid) IS TRUE
               AND kind = 'message' AND (source_connection_id = $4::uuid) IS TRUE
             LIMIT 1)
            LIMIT 1
            """
        let organization: UUID
        let connection: UUID
        let messageID: String
        let destination: UUID

        func makeBindings() -> PostgresBindings { bindings(organization, connection, messageID, destination) }
    }

    // MARK: The conversation

    /// What became of the message before, if `recording`, the lease taken or renewed, and the
    /// head when it is `holder`'s job's to deliver, in one round trip that scopes itself
    /// (`usersync_relay_next`, sql/0044): the head's cells (``RelayMessageRepository/columns``),
    /// its text, when an attempt of it began before, whether the run holds the conversation, and
    /// whether another message waits behind the head.
    /// The conversation's waiting job, taking the lease, is no longer waiting: an event's check
    /// (`usersync_relay_receive`) reads the job's state as of its snapshot, which may predate the
    /// lock it waited for, but the lease row as it is after that wait.
    struct NextStatement: HotStatement {
        static let sql = """
            SELECT \(RelayMessageRepository.columns.split(separator: ",").map { "(n.head)." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
                   (n.head).body::text, n.previous_attempt, n.held, coalesce(n.more, false)
            FROM usersync_relay_next(
                $1::uuid, $2::uuid, $3::text, $4::bigint, $5::bigint, $6::timestamptz, $7::timestamptz, $8::uuid, $9::text, $10::text,
                $11::text, $12::bigint, $13::bigint, $14::text, $15::text, $16::uuid, $17::uuid, $18::uuid, $19::text, $20::text,
                $21::text, $22::timestamptz, $23::timestamptz, $24::boolean, $25::boolean, $26::text, $27::text, $28::text) n
            """
        let organization: UUID
        let connection: UUID
        let conversation: String
        let holder: LeaseHolder
        let until: Date
        let now: Date
        let recording: RecordStatement?

        func makeBindings() -> PostgresBindings {
            var b = bindings(organization, connection, conversation, holder.job, holder.attempt, until, now)
            let step = recording?.step
            b.append(recording?.message.id.rawValue)
            RecordStatement.appendOutcome(of: recording, to: &b)
            b.append(recording?.nothingPosted)
            b.append(step?.step)
            b.append(step?.cause)
            b.append(step?.detail)
            return b
        }
    }

    struct ReleaseStatement: HotStatement {
        static let sql = """
            UPDATE relay_conversation_leases SET lease_owner = NULL, lease_attempt = NULL, leased_until = NULL
            WHERE org_id = $1::uuid AND source_connection_id = $2::uuid AND source_conversation = $3::text
              AND lease_owner = $4::bigint AND lease_attempt = $5::bigint
            """
        let organization: UUID
        let connection: UUID
        let conversation: String
        let holder: LeaseHolder

        func makeBindings() -> PostgresBindings { bindings(organization, connection, conversation, holder.job, holder.attempt) }
    }
}
