import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The delivery ledger as admins read it (`GET /v1/orgs/{org}/messages…`): metadata only, never
/// the text; per-platform counts; and the replay of messages that failed or died.
public struct RelayLedger: Sendable {
    let database: Database
    let settings: SyncSettings
    let messages = RelayMessageRepository()
    let audit = AuditLogRepository()

    public init(database: Database, settings: SyncSettings) {
        self.database = database
        self.settings = settings
    }

    public typealias Filter = RelayMessageRepository.Filter

    /// Messages newest first, after the cursor's message.
    public func list(
        _ organization: OrganizationID, filter: Filter, after: RelayMessageID?, limit: Int, logger: Logger
    ) async throws -> [RelayMessage] {
        try await database.withTenant(organization, logger: logger) { db in
            let before = try await after.asyncMap { id in
                let cursor = try await messages.get(organization, id, on: db, logger: logger)
                return (cursor.receivedAt, cursor.id)
            }
            return try await messages.list(organization, filter: filter, before: before, limit: limit, on: db, logger: logger)
        }
    }

    public struct Detail: Sendable {
        public var message: RelayMessage
        public var steps: [RelayMessage.Step]
    }

    public func get(_ organization: OrganizationID, _ id: RelayMessageID, logger: Logger) async throws -> Detail {
        try await database.withTenant(organization, logger: logger) { db in
            Detail(
                message: try await messages.get(organization, id, on: db, logger: logger),
                steps: try await messages.steps(organization, id, on: db, logger: logger))
        }
    }

    public struct Count: Sendable, Equatable {
        public var from: Platform
        public var to: Platform?
        public var state: RelayState
        public var count: Int
    }

    public func counts(_ organization: OrganizationID, person: PersonID?, logger: Logger) async throws -> [Count] {
        try await database.withTenant(organization, logger: logger) { db in
            try await messages.counts(organization, person: person, on: db, logger: logger).map {
                Count(from: $0.from, to: $0.to, state: $0.state, count: $0.count)
            }
        }
    }

    /// Sends a failed or dead message again: back to `received`, with a job for its conversation.
    /// 409 for a message in any other state, or whose text is no longer kept.
    public func replay(
        _ organization: OrganizationID, _ id: RelayMessageID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> RelayMessage {
        let now = settings.now()
        return try await database.withTenant(organization, logger: logger) { db in
            var message = try await messages.get(organization, id, on: db, logger: logger)
            guard message.state.isReplayable else {
                throw DomainError.conflict(
                    code: "message_not_replayable", message: "Only a failed or dead message can be replayed; this one is \(message.state.rawValue).")
            }
            let body = try await messages.body(organization, id, on: db, logger: logger)
            guard message.kind == .delete || body != nil else {
                throw DomainError.conflict(code: "message_text_dropped", message: "The message's text is no longer kept, so it cannot be sent again.")
            }
            message.state = .received
            message.retryJobID = nil
            message.attempts = 0
            try await messages.record(
                organization, message, step: .init(step: "replayed", detail: "Replayed by \(actor.label).", at: now), keepBody: true,
                on: db, logger: logger)
            try await JobQueue.enqueue(
                RelayJobs.deliverJob(
                    connection: message.sourceConnectionID, conversation: message.sourceConversation, maxAttempts: settings.relay.maxAttempts),
                organization: organization, on: db, logger: logger)
            try await audit.append(
                .init(action: "message.replayed", targetType: "message", targetID: id.description), organization: organization, actor: actor,
                requestID: requestID, on: db, logger: logger)
            return message
        }
    }
}
