import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

extension RelayDelivery {
    /// Where a message goes, as one transaction reads it: whom it is for, the route (as
    /// `GET …/routes` answers it), the organization's policy, and the destination with its connector.
    enum Plan {
        struct Ready {
            var route: MessageRouting.Route
            var destination: PlatformConnection
            var policy: RelayPolicy
            /// Nil when the destination is disconnected.
            var connector: (any PlatformConnector & RelayConnector)?
            /// A reply's thread there: the destination's copy of the message it answers.
            var thread: String?
        }
        case ready(Ready)
        /// Written from the recipient's own platform: an ordinary DM (or the relay's own post there).
        case samePlatform(MessageRouting.Route)
        case ignore(cause: String, detail: String)
        case failed(cause: String, detail: String)
        /// The sender is told why (and the recipient reminded, where they can fix it).
        case unroutable(RelayUnroutable, recipient: PersonID?, sender: PersonID?)
    }

    /// Plans `event`'s delivery on `db`; the text loses the address it began with, if any.
    func plan(
        _ event: inout InboundEvent, message: RelayMessage, original: RelayMessage?, source: PlatformConnection, organization: OrganizationID,
        reads: RunReads, on db: PostgresConnection, logger: Logger
    ) async throws -> Plan {
        let recipient: PersonID, now = settings.now()
        if let person = original?.recipientPersonID {
            recipient = person
            // An edit of a message that started a conversation still starts with the address.
            if event.toBot, let (_, rest) = Self.address(in: event.text ?? "") { event.text = rest }
        } else {
            switch try await recipientOf(
                event, message: message, source: source, organization: organization, reads: reads, now: now, on: db, logger: logger)
            {
            case .person(let person, let text):
                recipient = person
                if let text { event.text = text }
            case .ignore(let cause, let detail): return .ignore(cause: cause, detail: detail)
            case .unroutable(let reason): return .unroutable(reason, recipient: nil, sender: nil)
            }
        }
        let route: MessageRouting.Route
        do {
            let key = RunReads.RouteKey(platform: source.platform, account: message.senderAccount, connection: source.id, recipient: recipient)
            route = try await reads.routes.value(for: key, now: now) {
                try await routing.route(
                    fromPlatform: source.platform, fromAccount: message.senderAccount, fromConnection: source.id, to: .person(recipient),
                    organization: organization, on: db, logger: logger)
            }
        } catch DomainError.conflict(let code, let text) {
            guard let reason = RelayUnroutable(rawValue: code) else { return .failed(cause: code, detail: text) }
            if reason == .senderUnknown { return .ignore(cause: code, detail: text) }
            return .unroutable(reason, recipient: recipient, sender: nil)
        }
        // Nothing to relay: the destination, policy and thread are not read.
        guard route.sendAs != .ownAccount else { return .samePlatform(route) }
        // The organization's policy: restricted people do not message across platforms.
        let pair = [route.senderPerson, route.recipientPerson]
        let (policy, restricted) = try await reads.policies.value(for: pair, now: now) {
            try await policies.policy(organization, restrictedAmong: pair, on: db, logger: logger)
        }
        guard restricted.isEmpty else { return .unroutable(.restricted, recipient: recipient, sender: route.senderPerson) }
        let (destination, connector) = try await access.connection(organization, route.deliverTo.connectionID, now: now, on: db, logger: logger)
        let thread =
            event.kind == .message
            ? try await event.threadID.asyncMap { thread in
                try await reads.counterparts.value(for: .init(thread: thread, destination: destination.id), now: now) {
                    try await messages.counterpart(
                        organization, connection: source.id, messageID: thread, destination: destination.id, on: db, logger: logger)
                }
            } ?? nil : nil
        return .ready(
            .init(
                route: route, destination: destination, policy: policy,
                connector: connector,
                thread: thread))
    }
}
