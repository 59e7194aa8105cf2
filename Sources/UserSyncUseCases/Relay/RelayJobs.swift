import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs

/// The relay's job kinds: deliver a conversation's pending messages, in order; subscribe a
/// connection to its platform's message events.
public enum RelayJobs {
    public static let deliver = "relay.deliver"
    /// Makes sure a connection's platform sends its message events (`RelaySubscribePayload`).
    public static let subscribe = "relay.subscribe"
    /// Drops the text of an undelivered message once the retention window has passed (`RelayExpirePayload`).
    public static let expire = "relay.expire"

    static func expireJob(_ message: RelayMessageID, at: Date) throws -> NewJob {
        try NewJob(kind: expire, payload: RelayExpirePayload(message: message), runAt: at, maxAttempts: 10, dedupeKey: "relay-expire:\(message)")
    }

    /// A job of one conversation: a retry handed over by a connection's job, a dead job's
    /// successor, a replay.
    static func deliverJob(connection: ConnectionID, conversation: String, maxAttempts: Int, at runAt: Date? = nil) throws -> NewJob {
        try NewJob(
            kind: deliver, payload: RelayDeliverPayload(connection: connection, conversation: conversation), runAt: runAt, maxAttempts: maxAttempts)
    }

    /// A connection's job, queued by an event; events of other conversations join it while it waits (sql/0043).
    static func connectionJob(connection: ConnectionID, conversation: String, maxAttempts: Int) throws -> NewJob {
        try NewJob(kind: deliver, payload: RelayDeliverPayload(connection: connection, conversations: [conversation]), maxAttempts: maxAttempts)
    }
}

/// The undelivered message whose text a `relay.expire` job drops.
public struct RelayExpirePayload: Codable, Sendable {
    public var message: RelayMessageID
}

/// A conversation's job names it in `conversation`; a connection's job lists its conversations in
/// `conversations`, which events extend while the job waits (sql/0043).
public struct RelayDeliverPayload: Codable, Sendable {
    public var connection: ConnectionID
    public var conversation: String?
    public var conversations: [String]?

    var all: [String] { Array(Set((conversations ?? []) + (conversation.map { [$0] } ?? []))) }
}

extension JobHandlers {
    /// The relay's job kinds.
    public mutating func registerRelay(delivery: RelayDelivery, subscriber: RelaySubscriber, logger: Logger) {
        register(RelayJobs.subscribe, payload: RelaySubscribePayload.self) { payload, context in try await subscriber.run(payload, context: context) }
        register(RelayJobs.expire, payload: RelayExpirePayload.self) { payload, context in try await delivery.expire(payload, context: context) }
        register(RelayJobs.deliver, payload: RelayDeliverPayload.self, onDead: { job in await delivery.died(job, logger: logger) }) {
            payload, context in try await delivery.run(payload, context: context)
        }
    }
}
