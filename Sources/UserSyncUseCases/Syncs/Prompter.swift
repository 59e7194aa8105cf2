import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Sends people the consent prompts of link syncs: a fresh one-time link (stored hashed; once its
/// prompt is delivered, every earlier link of the sync stops working), delivered by the app's bot on the person's primary
/// platform. In three steps, so that a batch stores all its links in one statement, delivers the
/// prompts side by side and confirms them in one transaction: ``prepare(_:)``, ``store(_:on:logger:)``,
/// ``deliver(_:through:)``, ``confirm(_:organization:on:logger:)``. The caller records what the
/// sync's status becomes.
struct Prompter: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let tokens = ConsentTokenRepository()

    static let linkPrefix = "usc"

    /// Why a prompt cannot be sent at all (nobody is to blame on a platform's side).
    enum Refusal: Error {
        case noPrimaryAccount
        case consentNotConfigured(PlatformFailure)

        var outcome: SyncOutcome {
            switch self {
            case .noPrimaryAccount:
                SyncOutcome(
                    status: .failed, cause: .primaryAccountUnavailable,
                    message: "The person has no active account on their primary platform to receive the prompt.",
                    fixAction: "Choose another primary platform for the person, then retry.")
            case .consentNotConfigured(let failure):
                SyncOutcome(
                    status: .failed, cause: .consentNotConfigured,
                    message: "\(failure.platform.displayName) cannot ask people to authorize: \(failure.message)",
                    fixAction: "Add the app's OAuth client (id and secret) to the \(failure.platform.displayName) connection, then retry.")
            }
        }
    }

    /// A prompt ready to go: its link and the direct message that carries it.
    struct Prompt: Sendable {
        var organization: OrganizationID
        var sync: SyncID
        var person: PersonID
        var token: ScopedToken
        var expiresAt: Date
        /// Where the bot sends it: the person's account on their primary connection.
        var primary: ConnectionID
        var primaryPlatform: Platform
        var recipient: String
        var message: DirectMessage
    }

    /// Whether people can be asked to authorize on the platform behind `connector` (the app's
    /// OAuth client is configured), checked without a network call.
    func checkConsent(_ connector: any PlatformConnector, platform: Platform) throws(Refusal) {
        do {
            _ = try connector.authorizeURL(.init(state: "probe", redirectURI: settings.callbackURL(platform.rawValue)))
        } catch {
            throw .consentNotConfigured(error)
        }
    }

    /// A new link for the sync and the message carrying it.
    func prepare(_ snapshot: SyncSnapshot) throws(Refusal) -> Prompt {
        guard let primary = snapshot.primary, let account = snapshot.primaryAccount else { throw .noPrimaryAccount }
        let secondary = snapshot.secondary.platform.displayName
        let token = ScopedToken(prefix: Self.linkPrefix, organizationID: snapshot.organization)
        return Prompt(
            organization: snapshot.organization, sync: snapshot.sync.id, person: snapshot.person.id, token: token,
            expiresAt: settings.now().addingTimeInterval(settings.consentLinkLifetime.seconds), primary: primary.id,
            primaryPlatform: primary.platform, recipient: account.platformUserID,
            message: DirectMessage(
                title: "Connect your \(secondary) account",
                text: "Hi \(snapshot.name), your organization uses UserSync so that people on \(secondary) "
                    + "can message you here on \(primary.platform.displayName). Authorize UserSync on \(secondary) to finish.",
                linkURL: settings.consentLink(token.value),
                linkLabel: "Authorize on \(secondary)"))
    }

    /// Stores the prompts' links; earlier links of their syncs keep working until these are delivered.
    func store(_ prompts: [Prompt], on db: PostgresConnection, logger: Logger) async throws {
        guard let organization = prompts.first?.organization else { return }
        try await tokens.create(
            organization, prompts.map { .init(sync: $0.sync, tokenHash: $0.token.hash, expiresAt: $0.expiresAt) }, on: db, logger: logger)
    }

    /// Sends the prompt through the bot of the person's primary connection.
    func deliver(_ prompt: Prompt, through bot: any PlatformConnector) async throws(PlatformFailure) {
        _ = try await bot.sendDirectMessage(to: prompt.recipient, prompt.message)
    }

    /// Notes that prompts went out (their syncs' earlier links stop working) and when their
    /// people were prompted.
    func confirm(_ delivered: [Prompt], organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        try await tokens.markDelivered(organization, tokenHashes: delivered.map(\.token.hash), on: db, logger: logger)
        try await PeopleRepository().markPrompted(organization, Array(Set(delivered.map(\.person))), at: settings.now(), on: db, logger: logger)
    }

    /// All steps for one sync (re-authorization prompts of Auto Heal).
    func send(_ snapshot: SyncSnapshot, logger: Logger) async throws {
        let prompt = try prepare(snapshot)
        try checkConsent(
            try await access.connector(for: snapshot.secondary, database: database, logger: logger), platform: snapshot.secondary.platform)
        let organization = snapshot.organization
        try await database.withTenant(organization, logger: logger) { db in try await store([prompt], on: db, logger: logger) }
        guard let primary = snapshot.primary else { throw Refusal.noPrimaryAccount }
        try await deliver(prompt, through: try await access.connector(for: primary, database: database, logger: logger))
        try await database.withTenant(organization, logger: logger) { db in
            try await confirm([prompt], organization: organization, on: db, logger: logger)
        }
    }
}
