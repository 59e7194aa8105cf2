import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

extension RelayDelivery {
    enum RecipientLookup {
        /// For this person; `text` replaces the message's when it began with their address.
        case person(PersonID, text: String? = nil)
        /// Not a message for the relay (a DM with someone UserSync does not know).
        case ignore(cause: String, detail: String)
        case unroutable(RelayUnroutable)
    }

    /// Whom a message is for: a message to the app's bot that starts with an address is for that
    /// person (``RelayAddressing``); one in the thread of the sender's own relayed message goes
    /// where that one went; any other message to the bot answers the persona of the thread's
    /// message (else the latest persona message of that conversation); any other DM is for the
    /// owner of the account it was written to.
    func recipientOf(
        _ event: InboundEvent, message: RelayMessage, source: PlatformConnection, organization: OrganizationID, reads: RunReads, now: Date,
        on db: PostgresConnection, logger: Logger
    ) async throws -> RecipientLookup {
        if event.toBot {
            if event.kind == .message, let (email, rest) = Self.address(in: event.text ?? "") {
                guard let person = try await people.find(organization, email: email, on: db, logger: logger) else {
                    return .unroutable(.recipientUnknown)
                }
                return .person(person, text: rest)
            }
            // A follow-up in the thread of one's own relayed message goes where that one went.
            if let thread = event.threadID,
                let person = try await reads.ownThreads.value(
                    for: thread, now: now,
                    read: {
                        try await messages.delivered(organization, connection: source.id, sourceMessageID: thread, on: db, logger: logger)?
                            .recipientPersonID
                    })
            {
                return .person(person)
            }
            var answered =
                try await event.threadID.asyncMap { thread in
                    try await reads.answered.value(for: thread, now: now) {
                        try await messages.answered(
                            organization, connection: source.id, conversation: event.conversationID, thread: thread, on: db, logger: logger)
                    }
                } ?? nil
            if answered == nil {
                answered = try await messages.answered(
                    organization, connection: source.id, conversation: event.conversationID, thread: nil, on: db, logger: logger)
            }
            guard let person = answered?.senderPersonID else { return .unroutable(.noConversation) }
            return .person(person)
        }
        guard let account = event.recipientUserID else {
            return .ignore(cause: "recipient_unknown", detail: "The platform did not say whom the message is for.")
        }
        let owners = try await people.owners(
            organization, platform: source.platform, platformUserID: account, connection: source.id, on: db, logger: logger)
        guard let person = owners.first?.person else {
            return .ignore(cause: "recipient_unknown", detail: "The recipient's account is not one UserSync knows.")
        }
        return .person(person)
    }

    /// The address a message to the bot starts with, also behind leading markup (Teams wraps
    /// text in `<p>`); the rest keeps its markup.
    static func address(in text: String) -> (String, String)? {
        if let found = RelayAddressing.leadingAddress(in: text) { return found }
        var rest = Substring(text)
        while rest.hasPrefix("<"), !rest.hasPrefix("<mailto:"), let close = rest.firstIndex(of: ">") { rest = rest[rest.index(after: close)...] }
        guard rest.startIndex != text.startIndex else { return nil }  // not `count`, which reads the whole text
        return RelayAddressing.leadingAddress(in: String(rest))
    }

    /// Who the message is posted as: the sender's linked account (its tokens refreshed when they
    /// are about to expire), else their persona with the fixed label of the platform they wrote on.
    func sender(
        _ route: MessageRouting.Route, source: PlatformConnection, connector: any PlatformConnector, organization: OrganizationID,
        logger: Logger
    ) async throws -> RelaySender {
        let persona = RelaySender.persona(name: route.sendAsDisplayName, avatarURL: nil, label: relayLabel(from: source.platform))
        guard route.sendAs == .linkedAccount, let sync = route.senderSync, let user = route.sendAsPlatformUserID,
            let sealed = try await database.withTenant(
                organization, logger: logger, { db in try await syncs.tokens(organization, sync, on: db, logger: logger) }),
            // Tokens that cannot be refreshed: the persona speaks meanwhile.
            let tokens = try await linkedTokens.usable(sync, sealed, connector: connector, organization: organization, logger: logger)
        else { return persona }
        return .linkedAccount(platformUserID: user, tokens: tokens)
    }

    /// Fills in what the event did not carry (``RelayConnector/complete(_:)``). A DM written to a
    /// person's linked account is read with that person's token where the app's cannot read it.
    func complete(
        _ event: InboundEvent, source: PlatformConnection, connector: any PlatformConnector & RelayConnector, organization: OrganizationID,
        logger: Logger
    ) async throws -> InboundEvent {
        guard connector.hearsLinkedAccountsBySubscription, event.kind != .delete, let account = event.recipientUserID,
            let (sync, sealed) = try await database.withTenant(
                organization, logger: logger,
                { db in try await syncs.linkedTokens(organization, connection: source.id, account: account, on: db, logger: logger) }),
            let tokens = try await linkedTokens.usable(sync, sealed, connector: connector, organization: organization, logger: logger)
        else { return try await connector.complete(event) }
        return try await connector.complete(event, readingAs: tokens)
    }

    /// Tells the sender, with one bot message on the platform they wrote on, why their message was
    /// not delivered, and reminds a recipient who can fix it on their primary platform — each at
    /// most once per throttle window. Returns what was done, for the ledger.
    func notify(
        _ reason: RelayUnroutable, message: RelayMessage, source: PlatformConnection, recipient: PersonID?,
        connector: any PlatformConnector, organization: OrganizationID, logger: Logger
    ) async throws -> String {
        let now = settings.now(), throttle = relay.notices
        let (senderPerson, recipientPerson) = try await database.withTenant(organization, logger: logger) { db in
            let owner = try await people.owners(
                organization, platform: source.platform, platformUserID: message.senderAccount, connection: source.id, on: db, logger: logger
            ).first?.person
            let sender = try await owner.asyncMap { try await people.get(organization, $0, on: db, logger: logger) }
            let recipient = try await recipient.asyncMap { try await people.get(organization, $0, on: db, logger: logger) }
            return (sender, recipient)
        }
        var done: [String] = []
        if let senderPerson,
            try await reserve(senderPerson.id, reason.rawValue, throttle.senderInterval, now: now, organization: organization, logger: logger)
        {
            let home = recipientPerson?.accounts.first { $0.connectionID == recipientPerson?.primaryConnectionID }?.platform
            let text = reason.senderNotice(
                recipient: recipientPerson.map { $0.displayName ?? $0.email }, recipientPlatform: home, platform: source.platform)
            done.append(await tell(message.senderAccount, text, title: "Message not delivered", through: connector, who: "sender", logger: logger))
        } else {
            done.append(
                senderPerson == nil ? "The sender is not a person UserSync knows; not told." : "The sender was told recently; not told again.")
        }
        if reason.remindsRecipient, let person = recipientPerson, let home = person.primaryConnectionID,
            let account = person.accounts.first(where: { $0.connectionID == home && $0.isActive })
        {
            if try await reserve(person.id, "reminder", throttle.recipientInterval, now: now, organization: organization, logger: logger) {
                let connection = try await database.withTenant(organization, logger: logger) { db in
                    try await connections.get(organization, home, on: db, logger: logger)
                }
                let homeConnector = try await access.connector(for: connection, database: database, logger: logger)
                let name = senderPerson.map { $0.displayName ?? $0.email } ?? "Someone"
                let text = reason.recipientReminder(sender: name, platform: source.platform)
                done.append(
                    await tell(
                        account.platformUserID, text, title: "Someone tried to reach you", through: homeConnector, who: "recipient", logger: logger))
            } else {
                done.append("The recipient was reminded recently; not reminded again.")
            }
        }
        return done.joined(separator: " ")
    }

    private func reserve(
        _ person: PersonID, _ reason: String, _ interval: TimeInterval, now: Date, organization: OrganizationID, logger: Logger
    ) async throws -> Bool {
        try await database.withTenant(organization, logger: logger) { db in
            try await messages.reserveNotice(organization, person: person, reason: reason, interval: interval, now: now, on: db, logger: logger)
        }
    }

    private func tell(_ account: String, _ text: String, title: String, through connector: any PlatformConnector, who: String, logger: Logger) async
        -> String
    {
        do {
            _ = try await connector.sendDirectMessage(
                to: account, DirectMessage(title: title, text: text, linkURL: settings.publicURL, linkLabel: "Open UserSync"))
            return "The \(who) was told: \(text)"
        } catch {
            logger.warning("relay notice not sent", metadata: ["error": "\(error)"])
            return "The \(who) could not be told (\(error.cause.rawValue))."
        }
    }
}
