import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Sends a person the consent prompt of a link sync: a fresh one-time link (stored hashed; every
/// earlier link of the sync stops working), delivered by the app's bot on the person's primary
/// platform. The caller records what the sync's status becomes.
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
                    status: .failed, cause: "primary_account_unavailable",
                    message: "The person has no active account on their primary platform to receive the prompt.",
                    fixAction: "Choose another primary platform for the person, then retry.")
            case .consentNotConfigured(let failure):
                SyncOutcome(
                    status: .failed, cause: "consent_not_configured",
                    message: "\(failure.platform.displayName) cannot ask people to authorize: \(failure.message)",
                    fixAction: "Add the app's OAuth client (id and secret) to the \(failure.platform.displayName) connection, then retry.")
            }
        }
    }

    func send(_ snapshot: SyncSnapshot, logger: Logger) async throws {
        guard let primary = snapshot.primary, let account = snapshot.primaryAccount else { throw Refusal.noPrimaryAccount }
        let secondary = try await access.connector(for: snapshot.secondary, database: database, logger: logger)
        do {
            _ = try secondary.authorizeURL(.init(state: "probe", redirectURI: settings.callbackURL(snapshot.secondary.platform.rawValue)))
        } catch {
            throw Refusal.consentNotConfigured(error)
        }
        let organization = snapshot.organization
        let token = ScopedToken(prefix: Self.linkPrefix, organizationID: organization)
        try await database.withTenant(organization, logger: logger) { db in
            try await tokens.create(
                organization, sync: snapshot.sync.id, tokenHash: token.hash,
                expiresAt: Date().addingTimeInterval(settings.consentLinkLifetime.timeInterval), on: db, logger: logger)
        }
        let message = DirectMessage(
            title: "Connect your \(snapshot.secondary.platform.displayName) account",
            text: "Hi \(snapshot.name), your organization uses UserSync so that people on \(snapshot.secondary.platform.displayName) "
                + "can message you here on \(primary.platform.displayName). Authorize UserSync on \(snapshot.secondary.platform.displayName) to finish.",
            linkURL: settings.consentLink(token.value),
            linkLabel: "Authorize on \(snapshot.secondary.platform.displayName)")
        let bot = try await access.connector(for: primary, database: database, logger: logger)
        _ = try await bot.sendDirectMessage(to: account.platformUserID, message)
        try await database.withTenant(organization, logger: logger) { db in
            try await tokens.markDelivered(organization, tokenHash: token.hash, on: db, logger: logger)
            try await db.query(
                "UPDATE people SET last_prompted_at = now() WHERE org_id = \(organization.rawValue) AND id = \(snapshot.person.id.rawValue)",
                logger: logger)
        }
    }
}
