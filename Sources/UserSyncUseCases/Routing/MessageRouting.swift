import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// Cross-platform routing (DESIGN.md §1): how a direct message from one platform account reaches a
/// person — the account on the recipient's primary platform it is delivered to, and who it comes
/// from there (the sender's own account, their linked account, or their stand-in).
public struct MessageRouting: Sendable {
    let database: Database
    let people = PeopleRepository()

    public init(database: Database) { self.database = database }

    public enum Recipient: Sendable {
        case email(String)
        case person(PersonID)
    }

    public struct Route: Sendable, Equatable {
        public enum SenderKind: String, Sendable {
            /// The sender's own account on the recipient's platform (they live there, or it is the
            /// platform they wrote from).
            case ownAccount = "own_account"
            /// The account the sender linked by consent.
            case linkedAccount = "linked_account"
            /// The guest account invited for the sender (Teams).
            case virtualGuest = "virtual_guest"
            /// The app's bot, posting on the sender's behalf.
            case botPersona = "bot_persona"
        }

        public var senderPerson: PersonID
        public var senderAccount: AccountID
        public var recipientPerson: PersonID
        public var recipientEmail: String
        public var deliverTo: Person.Account
        public var sendAs: SenderKind
        /// The platform user the message appears from (nil for a bot persona).
        public var sendAsPlatformUserID: String?
        public var sendAsDisplayName: String
        /// The sender's sync onto the recipient's platform that the message is sent through
        /// (nil when they write from their own account there).
        public var senderSync: SyncID? = nil
    }

    /// Why a message cannot be routed.
    public static func unroutable(_ code: String, _ message: String) -> DomainError {
        .conflict(code: code, message: message)
    }

    public func route(
        fromPlatform: Platform, fromAccount: String, fromConnection: ConnectionID?, to recipient: Recipient,
        organization: OrganizationID, logger: Logger
    ) async throws -> Route {
        try await database.withTenant(organization, logger: logger) { db in
            try await route(
                fromPlatform: fromPlatform, fromAccount: fromAccount, fromConnection: fromConnection, to: recipient, organization: organization,
                on: db, logger: logger)
        }
    }

    /// The same, in the caller's transaction (the relay reads a message's route with the rest of
    /// what its delivery needs).
    func route(
        fromPlatform: Platform, fromAccount: String, fromConnection: ConnectionID?, to recipient: Recipient,
        organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws -> Route {
        let owners = try await people.owners(
            organization, platform: fromPlatform, platformUserID: fromAccount, connection: fromConnection, on: db, logger: logger)
        guard let sender = owners.first, let senderPerson = sender.person else {
            throw Self.unroutable("sender_unknown", "No known person has the \(fromPlatform.displayName) account \(fromAccount).")
        }
        guard sender.active else {
            throw Self.unroutable("sender_deactivated", "The sender's \(fromPlatform.displayName) account is deactivated.")
        }
        let recipientID: PersonID? =
            switch recipient {
            case .person(let id): id
            case .email(let email): try await people.find(organization, email: EmailAddress.normalize(email) ?? "", on: db, logger: logger)
            }
        let unknown = Self.unroutable("recipient_unknown", "No person in this organization has that address.")
        guard let recipientID else { throw unknown }
        let both = try await people.current(organization, recipientID, senderPerson, on: db, logger: logger)
        guard let to = both[recipientID] else { throw unknown }
        guard let from = both[senderPerson] else { throw DomainError.notFound(resource: "person") }
        guard !to.allAccountsDeactivated else {
            throw Self.unroutable("recipient_deactivated", "Every account of \(to.email) is deactivated.")
        }
        guard let home = to.primaryConnectionID else {
            throw Self.unroutable("recipient_has_no_primary", "\(to.email) has no primary platform yet.")
        }
        guard let deliverTo = to.accounts.first(where: { $0.connectionID == home && $0.isActive }) else {
            throw Self.unroutable("recipient_deactivated", "\(to.email)'s account on their primary platform is deactivated.")
        }
        let name = from.displayName ?? from.email
        func route(_ kind: Route.SenderKind, _ user: String?, through sync: SyncID? = nil) -> Route {
            Route(
                senderPerson: from.id, senderAccount: sender.account, recipientPerson: to.id, recipientEmail: to.email,
                deliverTo: deliverTo, sendAs: kind, sendAsPlatformUserID: user, sendAsDisplayName: name, senderSync: sync)
        }
        // Written on the recipient's own connection: an ordinary direct message.
        if sender.connection == home { return route(.ownAccount, fromAccount) }
        // Otherwise the recipient must be reachable where the sender wrote …
        guard let reachedBy = to.syncs.first(where: { $0.connectionID == sender.connection && $0.status == .synced }) else {
            throw Self.unroutable(
                "recipient_not_synced", "\(to.email) is not synced onto \(fromPlatform.displayName), so they cannot be written to there.")
        }
        // (a sync stays synced when an import deactivates the account it linked)
        if reachedBy.mode == .link, Self.linkedAccount(of: to, by: reachedBy)?.isActive != true {
            throw Self.unroutable(
                "recipient_deactivated",
                "\(to.email)'s \(fromPlatform.displayName) account is deactivated, so they cannot be written to there.")
        }
        // … and the sender present where the recipient lives.
        if from.primaryConnectionID == home, let own = from.accounts.first(where: { $0.connectionID == home && $0.isActive }) {
            return route(.ownAccount, own.platformUserID)
        }
        guard let sync = from.syncs.first(where: { $0.connectionID == home && $0.status == .synced }) else {
            throw Self.unroutable(
                "sender_not_synced", "\(from.email) is not synced onto \(deliverTo.platform.displayName), where \(to.email) lives.")
        }
        switch (sync.mode, sync.virtualKind) {
        case (.link, _):
            guard let linked = Self.linkedAccount(of: from, by: sync), linked.isActive else {
                throw Self.unroutable(
                    "sender_deactivated", "The sender's \(deliverTo.platform.displayName) account, linked by consent, is deactivated.")
            }
            return route(.linkedAccount, linked.platformUserID, through: sync.id)
        case (_, .guest?):
            return route(.virtualGuest, sync.virtualIdentity, through: sync.id)
        default:
            return route(.botPersona, nil, through: sync.id)
        }
    }

    /// The account a link sync speaks through: the one linked by consent (any account on the
    /// sync's connection for a sync recorded before the link was).
    static func linkedAccount(of person: Person, by sync: Sync) -> Person.Account? {
        if let id = sync.linkedAccountID { return person.accounts.first { $0.id == id } }
        return person.accounts.first { $0.connectionID == sync.connectionID && $0.isActive }
    }
}
