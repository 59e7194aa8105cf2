import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncSecrets

/// A person's side of a link sync, behind the link in their prompt: `open` sends them to the
/// secondary platform to authorize (with an OAuth state bound to the link), `callback` takes the
/// platform's answer, stores their tokens sealed and marks the sync synced. The link and the
/// state are the only credentials; expired, used, replaced, tampered or unknown ones get a clear
/// page and change nothing.
public struct ConsentFlow: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let tokens = ConsentTokenRepository()
    let recorder = SyncRecorder()
    let audit = AuditLogRepository()

    static let statePrefix = "uss"

    public init(database: Database, access: ConnectorAccess, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.settings = settings
    }

    /// What the person's browser is shown.
    public enum Answer: Sendable, Equatable {
        case redirect(String)
        case page(status: Int, title: String, message: String)
    }

    static let unknownLink = Answer.page(
        status: 404, title: "This link does not work",
        message: "It is not a UserSync link, or it was mistyped. Open the link from your message again.")

    /// `GET /consent/{token}`.
    public func open(_ text: String, logger: Logger) async throws -> Answer {
        guard let token = ScopedToken(parsing: text, prefix: Prompter.linkPrefix) else { return Self.unknownLink }
        let organization = token.organizationID
        let now = settings.now()
        let prepared = try await database.withTenant(organization, logger: logger) { db -> Result<(SyncSnapshot, ScopedToken), Refusal> in
            guard let record = try await tokens.find(organization, tokenHash: token.hash, forUpdate: true, on: db, logger: logger) else {
                return .failure(.answer(Self.unknownLink))
            }
            if let refusal = Self.refusal(record, now: now) { return .failure(refusal) }
            guard let snapshot = try await SyncSnapshot.load(organization, record.syncID, on: db, logger: logger) else {
                return .failure(.answer(.page(status: 410, title: "This link is no longer needed", message: "Your admin removed this sync.")))
            }
            if snapshot.sync.status == .synced {
                return .failure(
                    .answer(
                        .page(
                            status: 200, title: "You are already set up",
                            message: "Your \(snapshot.sync.platform.displayName) account is already connected. You can close this page.")))
            }
            let state = ScopedToken(prefix: Self.statePrefix, organizationID: organization)
            try await tokens.setState(
                organization, tokenHash: token.hash, stateHash: state.hash,
                expiresAt: now.addingTimeInterval(settings.stateLifetime.seconds), on: db, logger: logger)
            try await audit.append(
                .init(action: "consent.opened", targetType: "sync", targetID: snapshot.sync.id.description),
                organization: organization, actor: .user(snapshot.person.id.description), requestID: nil, on: db, logger: logger)
            return .success((snapshot, state))
        }
        switch prepared {
        case .failure(.answer(let answer)): return answer
        case .success(let (snapshot, state)):
            guard !snapshot.secondary.isDisconnected else {
                return .page(
                    status: 409, title: "Not available right now",
                    message: "\(snapshot.sync.platform.displayName) is disconnected from UserSync. Ask your admin.")
            }
            let connector = try await access.connector(for: snapshot.secondary, database: database, logger: logger)
            do {
                let url = try connector.authorizeURL(
                    .init(
                        state: state.value, redirectURI: settings.callbackURL(snapshot.sync.platform.rawValue),
                        loginHint: snapshot.secondaryAccount?.email ?? snapshot.person.email))
                return .redirect(url)
            } catch {
                return .page(status: 503, title: "Not available right now", message: "UserSync cannot ask for your authorization: \(error.message)")
            }
        }
    }

    enum Refusal: Error { case answer(Answer) }

    static func refusal(_ record: ConsentTokenRepository.Record, now: Date) -> Refusal? {
        if record.usedAt != nil {
            return .answer(
                .page(
                    status: 410, title: "This link was already used",
                    message: "Each link works once. You are probably set up already; if not, ask your admin to send a new one."))
        }
        if record.supersededAt != nil {
            return .answer(.page(status: 410, title: "This link was replaced", message: "A newer link was sent to you: use the most recent message."))
        }
        if record.expiresAt <= now {
            return .answer(.page(status: 410, title: "This link has expired", message: "Ask your admin to send you a new one."))
        }
        return nil
    }

    /// `GET /oauth/{platform}/callback?code=…&state=…` (or `error=…`).
    public func callback(platform: String, query: [String: String], logger: Logger) async throws -> Answer {
        let broken = Answer.page(
            status: 400, title: "This sign-in cannot be completed",
            message: "The answer from the platform does not match a sign-in UserSync started. Open the link from your message again.")
        guard let stateText = query["state"], let state = ScopedToken(parsing: stateText, prefix: Self.statePrefix) else { return broken }
        let organization = state.organizationID
        let now = settings.now()
        let found = try await database.withTenant(organization, logger: logger) { db -> (ConsentTokenRepository.Record, SyncSnapshot)? in
            guard let record = try await tokens.find(organization, stateHash: state.hash, on: db, logger: logger),
                let snapshot = try await SyncSnapshot.load(organization, record.syncID, on: db, logger: logger)
            else { return nil }
            return (record, snapshot)
        }
        guard let (record, snapshot) = found, snapshot.sync.platform.rawValue == platform else { return broken }
        if case .answer(let answer)? = Self.refusal(record, now: now) { return answer }
        guard let stateExpires = record.stateExpiresAt, stateExpires > now else {
            return .page(status: 410, title: "This sign-in took too long", message: "Open the link from your message again.")
        }
        let sync = snapshot.sync
        let person = AuditActor.user(snapshot.person.id.description)
        guard let code = query["code"] else {
            guard let error = query["error"] else { return broken }
            guard error == "access_denied" else {
                // The platform failed (`server_error`, `temporarily_unavailable`, …): the link
                // still works; only this sign-in is over.
                try await database.withTenant(organization, logger: logger) { db in
                    try await tokens.clearState(organization, tokenHash: record.tokenHash, on: db, logger: logger)
                }
                let reason = String((query["error_description"] ?? error).prefix(200))
                return .page(
                    status: 502, title: "This sign-in did not go through",
                    message: "\(sync.platform.displayName) could not complete it (\(reason)). Open the link from your message again.")
            }
            // The person said no at the platform.
            try await database.withTenant(organization, logger: logger) { db in
                try await tokens.markUsed(organization, tokenHash: record.tokenHash, on: db, logger: logger)
                try await recorder.record(sync, .userDeclined(secondary: sync.platform), actor: person, on: db, logger: logger)
            }
            return .page(
                status: 200, title: "You declined",
                message:
                    "UserSync will not connect your \(sync.platform.displayName) account. If you change your mind, ask your admin to send a new link."
            )
        }
        let connector = try await access.connector(for: snapshot.secondary, database: database, logger: logger)
        let userTokens: UserTokens
        do {
            userTokens = try await connector.exchangeCode(code, redirectURI: settings.callbackURL(platform))
        } catch {
            return .page(
                status: 502, title: "This sign-in did not go through",
                message: "\(sync.platform.displayName) did not confirm it (\(error.message)). Open the link from your message again.")
        }
        if let expected = snapshot.secondaryAccount, let signedIn = userTokens.platformUserID, signedIn != expected.platformUserID {
            try await database.withTenant(organization, logger: logger) { db in
                try await tokens.clearState(organization, tokenHash: record.tokenHash, on: db, logger: logger)
            }
            _ = try? await connector.revoke(userTokens)
            return .page(
                status: 409, title: "That was another account",
                message:
                    "You signed in to \(sync.platform.displayName) as someone else. Open the link again and sign in as \(expected.email ?? snapshot.person.email)."
            )
        }
        let sealed = try access.seal(userTokens, organization: organization, sync: sync.id)
        try await database.withTenant(organization, logger: logger) { db in
            try await tokens.markUsed(organization, tokenHash: record.tokenHash, on: db, logger: logger)
            try await recorder.record(
                sync, .consentGranted(secondary: sync.platform), actor: person,
                changes: .init(mode: .link, linkedAccount: snapshot.secondaryAccount?.id, tokens: sealed, consented: true), on: db, logger: logger)
            try await JobQueue.enqueue(
                try UserTokenMaintainer.job(for: sync.id, settings: settings, expiresAt: userTokens.expiresAt),
                organization: organization, on: db, logger: logger)
            // Where the relay hears a linked account only through the person's own subscription.
            if connector.hearsLinkedAccountsBySubscription {
                try await JobQueue.enqueue(
                    try RelaySubscriber.job(snapshot.secondary.id, linkedBy: sync.id), organization: organization, on: db, logger: logger)
            }
        }
        let primary = snapshot.primary?.platform.displayName ?? "your primary platform"
        return .page(
            status: 200, title: "You are all set",
            message:
                "Your \(sync.platform.displayName) account is connected: people on \(sync.platform.displayName) can now message you, and you read them on \(primary). You can close this page."
        )
    }
}
