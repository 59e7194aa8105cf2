import Foundation
import PostgresNIO
import UserSyncDomain

// The relay's statements that run for every message (an event stored, a message delivered):
// prepared once per pooled connection (``HotStatement``). Planning them anew each time cost
// PostgreSQL about as much as running them. Every parameter is cast to the type its Swift value
// is sent as, so that the types PostgreSQL infers when preparing match the values bound.

extension RelayMessageRepository {
    /// Whether the run holding the conversation `l` is its job's current one: the job is running,
    /// on the attempt that took the lease, read by its key whatever the queue's statistics say
    /// (sql/0040; `usersync_relay_receive` asks the same).
    static let holderIsCurrent = "usersync_relay_run_is_current(l.org_id, l.lease_owner, l.lease_attempt)"

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
            b.append(message.state.rawValue)
            b.append(message.cause)
            b.append(message.causeMessage)
            b.append(message.attempts)
            b.append(message.retryJobID)
            b.append(message.senderAccount)
            b.append(message.recipientAccount)
            b.append(message.senderPersonID?.rawValue)
            b.append(message.recipientPersonID?.rawValue)
            b.append(message.destinationConnectionID?.rawValue)
            b.append(message.sendAs)
            b.append(message.destinationConversation)
            b.append(message.destinationMessageID)
            b.append(message.deliveredAt)
            b.append(step.at)
            b.append(clearBody)
            b.append(organization)
            b.append(message.id.rawValue)
            b.append(step.step)
            b.append(step.cause)
            b.append(step.detail)
            b.append(nothingPosted)
            return b
        }
    }

    /// The head, when it is `holder`'s job's to deliver (not one waiting for another job's retry),
    /// marked as being attempted, with when an attempt of it began before. The conversation's
    /// lease, taken first in the same transaction, keeps other runs from its messages: the head
    /// needs no lock of its own. With nothing for the job, the lease is given back in the same
    /// statement.
    struct HeadStatement: HotStatement {
        static let sql = """
            WITH h AS MATERIALIZED (
                SELECT id, attempt_started_at AS previous, state = 'received' OR retry_job_id = $4::bigint AS ours FROM relay_messages
                WHERE org_id = $1::uuid AND source_connection_id = $2::uuid AND source_conversation = $3::text
                  AND state IN ('received', 'retrying')
                ORDER BY sequence LIMIT 1
            ), released AS (
                \(ReleaseStatement.release)
                WHERE org_id = $1::uuid AND source_connection_id = $2::uuid AND source_conversation = $3::text
                  AND lease_owner = $4::bigint AND lease_attempt = $6::bigint AND NOT EXISTS (SELECT FROM h WHERE h.ours)
            )
            UPDATE relay_messages m SET attempt_started_at = $5::timestamptz
            FROM h
            -- The id as a value, not a join: the row is found by its key, not among the organization's.
            WHERE m.org_id = $1::uuid AND m.id = (SELECT id FROM h) AND h.ours
            RETURNING \(RelayMessageRepository.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
                      m.body::text, h.previous
            """
        let organization: UUID
        let connection: UUID
        let conversation: String
        let holder: LeaseHolder
        let now: Date

        func makeBindings() -> PostgresBindings { bindings(organization, connection, conversation, holder.job, now, holder.attempt) }
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

    /// Takes or renews the lease. The conversation's waiting job, taking it, is no longer waiting:
    /// an event's check (`usersync_relay_receive`, sql/0038) reads the job's state as of its snapshot, which may
    /// predate the lock it waited for, but the lease row as it is after that wait.
    struct LeaseStatement: HotStatement {
        static let sql = """
            INSERT INTO relay_conversation_leases AS l (org_id, source_connection_id, source_conversation, lease_owner, lease_attempt, leased_until)
            VALUES ($1::uuid, $2::uuid, $3::text, $4::bigint, $5::bigint, $6::timestamptz)
            ON CONFLICT (org_id, source_connection_id, source_conversation) DO UPDATE
                SET lease_owner = excluded.lease_owner, lease_attempt = excluded.lease_attempt, leased_until = excluded.leased_until,
                    queued_job = nullif(l.queued_job, excluded.lease_owner)
                WHERE l.lease_owner IS NULL OR l.leased_until < $7::timestamptz
                   OR (l.lease_owner = excluded.lease_owner AND l.lease_attempt IS NOT DISTINCT FROM excluded.lease_attempt)
                   -- The holder is no longer its job's current run: the job finished, was given
                   -- back (its worker died and the reaper re-queued it) or went to a new run. A
                   -- run whose job lease merely lapsed (a busy worker late to renew it) still
                   -- holds the conversation until the reaper gives its job back: taking it over
                   -- then had two runs deliver at once, or, as the old run stopped, neither.
                   OR NOT \(RelayMessageRepository.holderIsCurrent)
            RETURNING lease_owner
            """
        let organization: UUID
        let connection: UUID
        let conversation: String
        let holder: LeaseHolder
        let until: Date
        let now: Date

        var values: [any PostgresDynamicTypeEncodable] { [organization, connection, conversation, holder.job, holder.attempt, until, now] }
        func makeBindings() -> PostgresBindings { bindings(values) }
    }

    /// What became of the message before (``RecordStatement``, `$1`–`$22`) and the lease
    /// (``LeaseStatement``, from `$23`) in one round trip.
    struct RecordAndLeaseStatement: HotStatement {
        static let sql = """
            WITH updated AS (\(RecordStatement.update)), step AS (\(RecordStatement.step))
            \(LeaseStatement.sql.replacing(/\$(\d+)/) { "$\(Int($0.output.1)! + 22)" })
            """
        let record: RecordStatement
        let lease: LeaseStatement

        func makeBindings() -> PostgresBindings {
            var b = record.makeBindings()
            for value in lease.values { b.append(value) }
            return b
        }
    }

    struct ReleaseStatement: HotStatement {
        static let release = "UPDATE relay_conversation_leases SET lease_owner = NULL, lease_attempt = NULL, leased_until = NULL"
        static let sql = """
            \(release)
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
