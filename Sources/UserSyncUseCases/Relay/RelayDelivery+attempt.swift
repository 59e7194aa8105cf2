import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

extension RelayDelivery {
    /// What a message's delivery reads before any platform call, once the run has moved on to it
    /// (`drain`): where it came from, the event as stored, the message an edit
    /// or delete changes, and the plan when the event carried all it needs (nil when the platform
    /// must first be asked for the rest, or the message is settled without one).
    struct Prepared: Sendable {
        var source: Source
        var event: InboundEvent
        /// When an earlier attempt of the message began, if one did that may have posted it.
        var earlierAttempt: Date?
        var original: RelayMessage?
        var plan: Plan?
        /// What the run reuses across its messages.
        var reads: RunReads
    }

    func prepare(
        _ message: RelayMessage, source: Source, earlierAttempt: Date?, organization org: OrganizationID, reads: RunReads,
        on db: PostgresConnection, logger: Logger
    ) async throws -> Prepared {
        var message = message
        var prepared = Prepared(
            source: source,
            event: InboundEvent(
                kind: InboundEvent.Kind(rawValue: message.kind.rawValue) ?? .message, eventKey: message.eventKey,
                conversationID: message.sourceConversation, messageID: message.sourceMessageID, senderUserID: message.senderAccount,
                recipientUserID: message.recipientAccount, toBot: message.toBot, text: source.body?.text, threadID: message.threadID,
                files: source.body?.files ?? [], sentAt: message.sentAt),
            earlierAttempt: earlierAttempt, reads: reads)
        // An edit or a delete changes a message relayed before: it goes where that one went, from
        // whoever wrote it (a Slack deletion does not say).
        if prepared.event.kind != .message {
            prepared.original = try await messages.delivered(
                org, connection: source.connection.id, sourceMessageID: message.sourceMessageID, on: db, logger: logger)
            guard let original = prepared.original, original.recipientPersonID != nil else { return prepared }
            prepared.event.senderUserID = original.senderAccount
            message.senderAccount = original.senderAccount
        }
        guard source.connector != nil, !Self.needsCompletion(prepared.event, original: prepared.original) else { return prepared }
        prepared.plan = try await plan(
            &prepared.event, message: message, original: prepared.original, source: source.connection, organization: org, reads: reads, on: db,
            logger: logger)
        return prepared
    }

    /// How far before an interrupted attempt began its post is looked for: the platform's clock
    /// and ours may disagree.
    static let clockSkew: TimeInterval = 60

    /// The post an interrupted attempt made of `post`, if the platform shows one (since a little
    /// before `since`) that the ledger has not recorded as another message's.
    func earlierPost(
        _ post: RelayPost, since: Date, on destination: PlatformConnection, through connector: any RelayConnector, organization: OrganizationID,
        logger: Logger
    ) async throws -> RelayedMessage? {
        let candidates = try await connector.posted(post, since: since.addingTimeInterval(-Self.clockSkew))
        guard !candidates.isEmpty else { return nil }
        let recorded = try await database.withTenant(organization, logger: logger) { db in
            try await messages.recordedPosts(organization, on: destination.id, among: candidates.map(\.messageID), on: db, logger: logger)
        }
        return candidates.first { !recorded.contains($0.messageID) }
    }

    /// Whether the platform must be asked what the event did not carry: the text (Webex) or the
    /// DM's other member.
    static func needsCompletion(_ event: InboundEvent, original: RelayMessage?) -> Bool {
        (original == nil && !event.toBot && event.recipientUserID == nil) || (event.kind != .delete && event.text == nil)
    }

    /// One delivery attempt of a prepared message: what the event did not carry, the plan if not
    /// made yet, then the post (or edit, or delete) on the recipient's primary platform. Platform
    /// failures are thrown for the caller to classify, with `message` holding what was learnt
    /// before (people, destination); everything else settles the message.
    func attempt(_ message: inout RelayMessage, _ prepared: Prepared, organization org: OrganizationID, logger: Logger) async throws
        -> RelayResult
    {
        let source = prepared.source.connection
        let now = settings.now()
        func settle(_ state: RelayState, _ step: String, cause: String? = nil, detail: String? = nil) -> RelayResult {
            message.state = state
            message.cause = cause
            message.causeMessage = detail
            if state == .delivered { message.deliveredAt = now }
            return .done(message, .init(step: step, cause: cause, detail: detail, at: now))
        }
        guard let sourceConnector = prepared.source.connector else {
            return settle(.failed, "failed", cause: "connection_disconnected", detail: "The connection the message came from is disconnected.")
        }
        var event = prepared.event
        let original = prepared.original
        if event.kind != .message {
            guard let original, original.recipientPersonID != nil else {
                return settle(.ignored, "ignored", cause: "original_not_relayed", detail: "The message it changes was not relayed.")
            }
            message.senderAccount = original.senderAccount
        }
        let planned: Plan
        if let made = prepared.plan {
            planned = made
        } else {
            if Self.needsCompletion(event, original: original) {
                event = try await complete(event, source: source, connector: sourceConnector, organization: org, logger: logger)
                message.recipientAccount = event.recipientUserID
                // A notification of a linked person's chat names its author only once the message is read.
                if message.senderAccount.isEmpty { message.senderAccount = event.senderUserID }
                guard !event.senderUserID.isEmpty, event.senderUserID != event.recipientUserID else {
                    return settle(
                        .ignored, "ignored", cause: "own_message",
                        detail: "Written by the linked person themselves (or by an app), not to them: nothing to relay.")
                }
            }
            // Whom it is for, the route, and where it goes, read in one transaction.
            planned = try await database.withTenant(org, logger: logger) { [message, original] db in
                try await plan(
                    &event, message: message, original: original, source: source, organization: org, reads: prepared.reads, on: db, logger: logger)
            }
        }
        let route: MessageRouting.Route, destination: PlatformConnection, policy: RelayPolicy, thread: String?
        let connector: any PlatformConnector & RelayConnector
        switch planned {
        case .ignore(let cause, let detail):
            return settle(.ignored, "ignored", cause: cause, detail: detail)
        case .failed(let cause, let detail):
            return settle(.failed, "failed", cause: cause, detail: detail)
        case .unroutable(let reason, let recipient, let sender):
            message.recipientPersonID = recipient ?? message.recipientPersonID
            message.senderPersonID = sender ?? message.senderPersonID
            let told = try await notify(
                reason, message: message, source: source, recipient: recipient, connector: sourceConnector, organization: org, logger: logger)
            return settle(.notified, "notified", cause: reason.rawValue, detail: told)
        case .samePlatform(let route):
            message.recipientPersonID = route.recipientPerson
            message.senderPersonID = route.senderPerson
            return settle(.ignored, "ignored", cause: "same_platform", detail: "Both people are on the same platform; nothing to relay.")
        case .ready(let ready):
            message.recipientPersonID = ready.route.recipientPerson
            message.senderPersonID = ready.route.senderPerson
            guard let destinationConnector = ready.connector else {
                return settle(.failed, "failed", cause: "connection_disconnected", detail: "The recipient's platform is disconnected.")
            }
            (route, destination, policy, thread, connector) = (ready.route, ready.destination, ready.policy, ready.thread, destinationConnector)
        }
        message.destinationConnectionID = destination.id
        message.sendAs = route.sendAs.rawValue
        let sender = try await sender(route, source: source, connector: connector, organization: org, logger: logger)
        let recipientUser = route.deliverTo.platformUserID
        let text =
            event.kind == .delete
            ? ""
            : try await RelayText.render(
                event, from: source, to: destination, allowingFiles: policy.allowsFiles(throughStandIn: sender.isPersona), messages: messages,
                database: database, organization: org, logger: logger)
        switch event.kind {
        case .message:
            let post = RelayPost(sender: sender, recipientUserID: recipientUser, text: text, threadID: thread, key: message.id.description)
            // An earlier attempt that was interrupted may have posted it: found, it is not posted again.
            if let earlier = prepared.earlierAttempt, connector.findsEarlierPosts,
                let found = try await earlierPost(post, since: earlier, on: destination, through: connector, organization: org, logger: logger)
            {
                message.destinationConversation = found.conversationID
                message.destinationMessageID = found.messageID
                return settle(
                    .delivered, "delivered",
                    detail: "Found on \(destination.platform.displayName), posted by an earlier attempt that was interrupted; not posted again.")
            }
            let posted = try await connector.post(post)
            message.destinationConversation = posted.conversationID
            message.destinationMessageID = posted.messageID
            return settle(.delivered, "delivered", detail: "Delivered to \(destination.platform.displayName) as \(route.sendAs.rawValue).")
        case .edit, .delete:
            guard let original, let conversation = original.destinationConversation, let id = original.destinationMessageID,
                original.destinationConnectionID == destination.id
            else { return settle(.ignored, "ignored", cause: "original_not_relayed", detail: "The message it changes was not relayed.") }
            let relayed = RelayedMessage(conversationID: conversation, messageID: id)
            if event.kind == .edit {
                try await connector.edit(relayed, sender: sender, recipientUserID: recipientUser, text: text)
            } else {
                try await connector.delete(relayed, sender: sender, recipientUserID: recipientUser)
            }
            message.destinationConversation = conversation
            message.destinationMessageID = id
            return settle(.delivered, "delivered", detail: "\(event.kind == .edit ? "Edited" : "Deleted") on \(destination.platform.displayName).")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension RelayDelivery {
    /// What a message's delivery reads first: the connection it came from (with its connector,
    /// nil when disconnected) and its stored text.
    struct Source: Sendable {
        var connection: PlatformConnection
        var connector: (any PlatformConnector & RelayConnector)?
        var body: RelayBody?
    }

    func source(of message: RelayMessage, body: String?, organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws
        -> Source
    {
        let (connection, connector) = try await access.connection(
            organization, message.sourceConnectionID, now: settings.now(), on: db, logger: logger)
        return Source(connection: connection, connector: connector, body: RelayBody.read(body))
    }
}
