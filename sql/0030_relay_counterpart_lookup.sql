-- A reply's counterpart (RelayMessageRepository.counterpart) must be found by its message id,
-- whatever the statistics say. relay_messages fills within minutes, and planned from statistics
-- taken while it was nearly empty, the lookup used relay_messages_by_destination (organization
-- and connection only) and filtered every message of the connection: 1 ms a reply after 2,000
-- messages in the relay benchmark, growing with the conversation's history. With the message id
-- first, this index serves the lookup by id alone, and the statement names the connections in
-- conditions no index can use, so that no other index applies.
DROP INDEX relay_messages_by_destination_message;
CREATE INDEX relay_messages_by_destination_message ON relay_messages (org_id, destination_message_id, destination_connection_id)
    WHERE destination_message_id IS NOT NULL;
