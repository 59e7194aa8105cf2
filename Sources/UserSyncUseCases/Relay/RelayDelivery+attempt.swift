import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

extension RelayDelivery {
    /// One delivery attempt of `message`: who it is for, the route, then the post (or edit, or
    /// delete) on the recipient's primary platform. Platform failures are thrown for the caller to
    /// classify, with `message` holding what was learnt before (people, destination); everything
    /// else settles the message.
    func attempt(_ message: inout RelayMessage, organization org: OrganizationID, logger: Logger) async throws -> RelayResult {
        let (source, stored) = try await database.withTenant(org, logger: logger) { db in
            (
                try await connections.get(org, message.sourceConnectionID, on: db, logger: logger),
                RelayBody.read(try await messages.body(org, message.id, on: db, logger: logger))
            )
        }
        let now = settings.now()
        func settle(_ state: RelayState, _ step: String, cause: String? = nil, detail: String? = nil) -> RelayResult {
            message.state = state
            message.cause = cause
            message.causeMessage = detail
            if state == .delivered { message.deliveredAt = now }
            return .done(message, .init(step: step, cause: cause, detail: detail, at: now))
        }
        guard !source.isDisconnected else {
            return settle(.failed, "failed", cause: "connection_disconnected", detail: "The connection the message came from is disconnected.")
        }
        let sourceConnector = try await access.connector(for: source, database: database, logger: logger)
        var event = InboundEvent(
            kind: InboundEvent.Kind(rawValue: message.kind.rawValue) ?? .message, eventKey: message.eventKey,
            conversationID: message.sourceConversation, messageID: message.sourceMessageID, senderUserID: message.senderAccount,
            recipientUserID: message.recipientAccount, toBot: message.toBot, text: stored?.text, threadID: message.threadID,
            files: stored?.files ?? [], sentAt: message.sentAt)
        // An edit or a delete changes a message relayed before: it goes where that one went, from
        // whoever wrote it (a Slack deletion does not say).
        var original: RelayMessage?
        if event.kind != .message {
            original = try await database.withTenant(org, logger: logger) { db in
                try await messages.delivered(org, connection: source.id, sourceMessageID: event.messageID, on: db, logger: logger)
            }
            guard let original, original.recipientPersonID != nil else {
                return settle(.ignored, "ignored", cause: "original_not_relayed", detail: "The message it changes was not relayed.")
            }
            event.senderUserID = original.senderAccount
            message.senderAccount = original.senderAccount
        }
        // What the event did not carry: the text (Webex) and the DM's other member.
        if (original == nil && !event.toBot && event.recipientUserID == nil) || (event.kind != .delete && event.text == nil) {
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
        // Whom it is for.
        let recipient: PersonID
        if let person = original?.recipientPersonID {
            recipient = person
            // An edit of a message that started a conversation still starts with the address.
            if event.toBot, let (_, rest) = Self.address(in: event.text ?? "") { event.text = rest }
        } else {
            switch try await recipientOf(event, message: message, source: source, organization: org, logger: logger) {
            case .person(let person, let text):
                recipient = person
                if let text { event.text = text }
            case .ignore(let cause, let detail): return settle(.ignored, "ignored", cause: cause, detail: detail)
            case .unroutable(let reason):
                let told = try await notify(
                    reason, message: message, source: source, recipient: nil, connector: sourceConnector, organization: org, logger: logger)
                return settle(.notified, "notified", cause: reason.rawValue, detail: told)
            }
        }
        message.recipientPersonID = recipient
        // The route, as `GET …/routes` answers it.
        let route: MessageRouting.Route
        do {
            route = try await routing.route(
                fromPlatform: source.platform, fromAccount: message.senderAccount, fromConnection: source.id, to: .person(recipient),
                organization: org, logger: logger)
        } catch DomainError.conflict(let code, let text) {
            guard let reason = RelayUnroutable(rawValue: code) else { return settle(.failed, "failed", cause: code, detail: text) }
            if reason == .senderUnknown { return settle(.ignored, "ignored", cause: code, detail: text) }
            let told = try await notify(
                reason, message: message, source: source, recipient: recipient, connector: sourceConnector, organization: org, logger: logger)
            return settle(.notified, "notified", cause: code, detail: told)
        }
        message.senderPersonID = route.senderPerson
        // Written from the recipient's own platform: an ordinary DM (or the relay's own post there).
        guard route.sendAs != .ownAccount else {
            return settle(.ignored, "ignored", cause: "same_platform", detail: "Both people are on the same platform; nothing to relay.")
        }
        // The organization's policy: restricted people do not message across platforms.
        let (destination, policy, restricted) = try await database.withTenant(org, logger: logger) { db in
            (
                try await connections.get(org, route.deliverTo.connectionID, on: db, logger: logger),
                try await policies.policy(org, on: db, logger: logger),
                try await policies.restricted(org, among: [route.senderPerson, route.recipientPerson], on: db, logger: logger)
            )
        }
        guard restricted.isEmpty else {
            let told = try await notify(
                .restricted, message: message, source: source, recipient: recipient, connector: sourceConnector, organization: org, logger: logger)
            return settle(.notified, "notified", cause: RelayUnroutable.restricted.rawValue, detail: told)
        }
        guard !destination.isDisconnected else {
            return settle(.failed, "failed", cause: "connection_disconnected", detail: "The recipient's platform is disconnected.")
        }
        let connector = try await access.connector(for: destination, database: database, logger: logger)
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
            let thread = try await event.threadID.asyncMap { thread in
                try await database.withTenant(org, logger: logger) { db in
                    try await messages.counterpart(org, connection: source.id, messageID: thread, destination: destination.id, on: db, logger: logger)
                }
            }
            let posted = try await connector.post(RelayPost(sender: sender, recipientUserID: recipientUser, text: text, threadID: thread ?? nil))
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
