import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncSecrets

/// Graph change notifications on linked Teams people's chat messages (docs/relay.md): each
/// notification whose client state matches its stored subscription becomes a ledger event of the
/// chat, for the linked person, with a delivery job; the worker reads the message with their
/// token. Lifecycle notifications bring the subscription's upkeep forward. Anything else is
/// refused, counted and dropped.
public struct RelayChatNotifications: Sendable {
    let database: Database
    let settings: SyncSettings
    let subscriptions = RelaySubscriptionRepository()

    public init(database: Database, settings: SyncSettings) {
        self.database = database
        self.settings = settings
    }

    /// Where Graph sends an organization's chat notifications, under the deployment's public URL.
    public static func url(publicURL: String, organization: OrganizationID) -> String {
        "\(publicURL)/events/graph/\(organization)/chats"
    }

    public struct Notification: Decodable, Sendable {
        public struct ResourceData: Decodable, Sendable {
            public var id: String?
        }
        public var subscriptionId: String
        public var clientState: String?
        public var changeType: String?
        public var resource: String?
        public var resourceData: ResourceData?
        public var lifecycleEvent: String?
    }

    public struct Batch: Decodable, Sendable {
        public var value: [Notification]
    }

    public struct Receipt: Sendable, Equatable {
        public var stored = 0
        public var duplicates = 0
        public var lifecycle = 0
        public var refused = 0
    }

    public func receive(_ batch: Batch, organization: OrganizationID, logger: Logger) async throws -> Receipt {
        let now = settings.now()
        let receipt = try await database.withTenant(organization, logger: logger) { db in
            let held = Dictionary(
                try await subscriptions.find(organization, ids: Array(Set(batch.value.map(\.subscriptionId))), on: db, logger: logger).map {
                    ($0.subscriptionID, $0)
                }, uniquingKeysWith: { first, _ in first })
            var receipt = Receipt()
            var events: [ConnectionID: [InboundEvent]] = [:]
            for notification in batch.value {
                guard let subscription = held[notification.subscriptionId], let account = subscription.account,
                    constantTimeEquals(sha256(notification.clientState ?? ""), subscription.clientStateHash)
                else {
                    receipt.refused += 1
                    continue
                }
                if let lifecycle = notification.lifecycleEvent {
                    receipt.lifecycle += 1
                    try await upkeep(subscription, lifecycle, organization: organization, on: db, logger: logger)
                    continue
                }
                guard let event = Self.event(notification, for: account, now: now) else {
                    receipt.refused += 1
                    continue
                }
                events[subscription.connection, default: []].append(event)
            }
            for (connection, events) in events {
                let (stored, duplicates) = try await RelayInbox.store(
                    events, organization: organization, connection: connection, now: now, settings: settings, on: db, logger: logger)
                receipt.stored += stored
                receipt.duplicates += duplicates
            }
            return receipt
        }
        RelayInbox.count(.teams, "stored", by: receipt.stored)
        RelayInbox.count(.teams, "duplicate", by: receipt.duplicates)
        RelayInbox.count(.teams, "lifecycle", by: receipt.lifecycle)
        RelayInbox.count(.teams, "refused", by: receipt.refused)
        if receipt.refused > 0 { logger.warning("graph chat notifications refused", metadata: ["refused": "\(receipt.refused)"]) }
        return receipt
    }

    /// `reauthorizationRequired`: renewing reauthorizes, so the renewal is due now.
    /// `subscriptionRemoved` (or anything else): the subscription is forgotten and made anew.
    private func upkeep(
        _ subscription: RelaySubscriptionRepository.Held, _ lifecycle: String, organization: OrganizationID, on db: PostgresConnection,
        logger: Logger
    ) async throws {
        if lifecycle == "reauthorizationRequired" {
            try await subscriptions.renewed(organization, sync: subscription.sync, expiresAt: settings.now(), on: db, logger: logger)
        } else {
            try await subscriptions.delete(organization, sync: subscription.sync, on: db, logger: logger)
        }
        let job = try RelaySubscriber.job(subscription.connection, linkedBy: subscription.sync)
        if try await JobQueue.enqueue(job, organization: organization, on: db, logger: logger) == nil {
            try await JobQueue.expedite(dedupeKey: job.dedupeKey ?? "", organization: organization, on: db, logger: logger)
        }
    }

    /// The ledger event of a change notification on `chats('{chat}')/messages('{id}')`, for the
    /// linked `account` whose subscription sent it. Its author and text are read later, with the
    /// person's token. An edit's key is its own: Graph does not say which edit it reports, and
    /// each delivery applies the message's text as it is then.
    static func event(_ notification: Notification, for account: String, now: Date) -> InboundEvent? {
        let kind: InboundEvent.Kind
        switch notification.changeType {
        case "created": kind = .message
        case "updated": kind = .edit
        case "deleted": kind = .delete
        default: return nil
        }
        guard let (chat, message) = chatMessage(in: notification.resource ?? ""),
            notification.resourceData?.id.map({ $0 == message }) ?? true
        else { return nil }
        let edit = kind == .edit ? ":\(UUID().uuidString.lowercased())" : ""
        return InboundEvent(
            kind: kind, eventKey: "\(account):\(notification.changeType ?? ""):\(message)\(edit)", conversationID: chat, messageID: message,
            senderUserID: "", recipientUserID: account, toBot: false, text: nil, threadID: nil, sentAt: now)
    }

    /// `chats('19:…')/messages('1616…')` (also `chats/19:…/messages/1616…`, any case).
    static func chatMessage(in resource: String) -> (chat: String, message: String)? {
        let parts = resource.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        func value(_ part: String, _ name: String) -> String? {
            guard part.lowercased().hasPrefix(name + "('"), part.hasSuffix("')") else { return nil }
            return String(part.dropFirst(name.count + 2).dropLast(2))
        }
        if parts.count == 2, let chat = value(parts[0], "chats"), let message = value(parts[1], "messages") { return valid(chat, message) }
        if parts.count == 4, parts[0].lowercased() == "chats", parts[2].lowercased() == "messages" { return valid(parts[1], parts[3]) }
        return nil
    }

    private static func valid(_ chat: String, _ message: String) -> (chat: String, message: String)? {
        let allowed = { (text: String) in
            !text.isEmpty && text.count <= 512 && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        return allowed(chat) && allowed(message) ? (chat, message) : nil
    }
}
