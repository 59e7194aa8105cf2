import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Signing in to an organization's console: with a Slack or Microsoft account (OpenID Connect,
/// admitted by ``ConsoleAdmission``), or with an organization API key. Each ends in a
/// ``ConsoleSession`` for the browser. Shared by the console's pages and tests.
public struct ConsoleSignIn: Sendable {
    let database: Database
    let settings: ConsoleSettings
    let providers: [IdentityProvider: OpenIDClient]
    let access: ConnectorAccess
    let administration: OrganizationAdministration
    let members = ConsoleMemberRepository()
    let invitations = ConsoleInvitationRepository()
    let connections = ConnectionRepository()
    let organizations = OrganizationRepository()
    let audit = AuditLogRepository()

    public init(database: Database, settings: ConsoleSettings, providers: [OpenIDClient], access: ConnectorAccess) {
        self.database = database
        self.settings = settings
        self.providers = Dictionary(providers.map { ($0.settings.provider, $0) }, uniquingKeysWith: { first, _ in first })
        self.access = access
        self.administration = OrganizationAdministration(database: database, now: settings.now)
    }

    /// The providers this deployment has an app registered with, in a stable order.
    public var availableProviders: [IdentityProvider] { IdentityProvider.allCases.filter { providers[$0] != nil } }

    /// What the browser keeps (sealed, in a short-lived cookie) between the start of a sign-in
    /// and its callback.
    public struct Attempt: Codable, Sendable {
        public var provider: IdentityProvider
        /// Nil when the organization named does not exist: the sign-in goes on and is refused at
        /// the end like any other, so the page never tells which organizations exist.
        public var organizationID: OrganizationID?
        public var organizationName: String
        public var invitation: String?
        public var openID: OpenIDClient.Attempt
        public var startedAt: Date
    }

    public enum Failure: Error, Sendable, Equatable {
        case providerNotConfigured
        /// The attempt cookie is missing, expired, or does not match the callback's state.
        case attemptInvalid
        case cancelled
        case provider(SignInFailure)
        case refused(ConsoleAdmission.Refusal, organization: String, provider: IdentityProvider)
        case invalidAPIKey
        case invitationInvalid

        public var message: String {
            switch self {
            case .providerNotConfigured: "This way of signing in is not set up on this deployment."
            case .attemptInvalid: "This sign-in expired or was started in another browser. Start again."
            case .cancelled: "The sign-in was cancelled."
            case .provider(let failure): failure.message
            case .refused(let refusal, let organization, let provider): refusal.message(provider: provider, organization: organization)
            case .invalidAPIKey: "That API key is not valid, or has been revoked."
            case .invitationInvalid: "This invitation link is not valid."
            }
        }
    }

    // MARK: Platform accounts

    /// Starts a sign-in with `provider` into the organization named by `organization` (slug or
    /// id) or by an invitation token. Returns where to send the browser and the sealed attempt.
    public func begin(
        _ provider: IdentityProvider, organization reference: String?, invitation: String?, logger: Logger
    ) async throws -> (url: String, sealedAttempt: String) {
        guard let client = providers[provider] else { throw Failure.providerNotConfigured }
        var organizationID: OrganizationID?
        var name = reference ?? ""
        var loginHint: String?
        if let invitation {
            let (organization, found) = try await self.invitation(invitation, logger: logger)
            organizationID = organization.id
            name = organization.name
            loginHint = found.email
        } else if let reference, let found = try? await administration.organization(reference, logger: logger) {
            organizationID = found.id
            name = found.name
        }
        let attempt = Attempt(
            provider: provider, organizationID: organizationID, organizationName: name, invitation: invitation,
            openID: .random(pkce: client.settings.usesPKCE), startedAt: settings.now())
        let url = try await client.authorizeURL(attempt.openID, redirectURI: settings.callbackURL(provider.rawValue), loginHint: loginHint)
        return (url, try seal(attempt))
    }

    /// Completes a sign-in from the provider's callback query and the attempt the browser kept.
    public func complete(
        _ provider: IdentityProvider, query: [String: String], sealedAttempt: String?, requestID: String?, logger: Logger
    ) async throws -> ConsoleSession {
        guard let client = providers[provider] else { throw Failure.providerNotConfigured }
        guard let attempt = sealedAttempt.flatMap(open), attempt.provider == provider,
            settings.now().timeIntervalSince(attempt.startedAt) < settings.signInLifetime.seconds,
            let state = query["state"], constantTimeEquals(state, attempt.openID.state)
        else { throw Failure.attemptInvalid }
        if query["error"] != nil { throw Failure.cancelled }
        guard let code = query["code"], !code.isEmpty else { throw Failure.attemptInvalid }
        let identity: SignInIdentity
        do {
            identity = try await client.signIn(code: code, attempt: attempt.openID, redirectURI: settings.callbackURL(provider.rawValue))
        } catch {
            logger.notice("console sign-in failed", metadata: ["provider": "\(provider.rawValue)", "reason": "\(error.message)"])
            throw Failure.provider(error)
        }
        guard let organization = attempt.organizationID else {
            throw Failure.refused(.notAnAdmin, organization: attempt.organizationName, provider: provider)
        }
        return try await admit(identity, into: organization, attempt: attempt, requestID: requestID, logger: logger)
    }

    private func admit(
        _ identity: SignInIdentity, into organization: OrganizationID, attempt: Attempt, requestID: String?, logger: Logger
    ) async throws -> ConsoleSession {
        let now = settings.now()
        let refuse = { (refusal: ConsoleAdmission.Refusal) in
            Failure.refused(refusal, organization: attempt.organizationName, provider: identity.provider)
        }
        // What the service knows decides first, in one transaction with the writes it leads to.
        let decided = try await database.withTenant(organization, logger: logger) { db -> ConsoleSession? in
            var invitation: ConsoleInvitation?
            if let token = attempt.invitation {
                guard let parsed = ScopedToken(parsing: token, prefix: ScopedToken.invitationPrefix), parsed.organizationID == organization,
                    let found = try await invitations.find(organization, hash: parsed.hash, on: db, logger: logger)
                else { throw Failure.invitationInvalid }
                invitation = found
            }
            let member = try await members.find(organization, identity, on: db, logger: logger)
            switch ConsoleAdmission.decide(identity: identity, member: member, invitation: invitation, now: now) {
            case .refuse(let refusal): throw refuse(refusal)
            case .askPlatform: return nil
            case .admit(let role, let via):
                let admitted = try await members.admit(
                    organization, identity: identity, role: via == nil ? nil : role, source: via ?? .invitation,
                    by: invitation.map { $0.createdBy } ?? "sign_in", at: now, on: db, logger: logger)
                if let invitation {
                    try await invitations.accept(organization, invitation.id, member: admitted.id, at: now, on: db, logger: logger)
                }
                try await record(admitted, via: via, organization: organization, requestID: requestID, on: db, logger: logger)
                return ConsoleSession(organizationID: organization, memberID: admitted.id, apiKeyID: nil, signedInAt: now)
            }
        }
        if let decided { return decided }
        // Only the platform can tell whether the account administers a workspace the organization connected.
        let answer = await platformAnswer(identity, organization: organization, logger: logger)
        guard case .admit(let role, let via) = ConsoleAdmission.decide(platform: answer) else {
            if case .refuse(let refusal) = ConsoleAdmission.decide(platform: answer) { throw refuse(refusal) }
            throw refuse(.adminCheckFailed)
        }
        return try await database.withTenant(organization, logger: logger) { db in
            let admitted = try await members.admit(
                organization, identity: identity, role: role, source: via ?? .platformAdmin, by: "sign_in", at: now, on: db, logger: logger)
            try await record(admitted, via: via, organization: organization, requestID: requestID, on: db, logger: logger)
            return ConsoleSession(organizationID: organization, memberID: admitted.id, apiKeyID: nil, signedInAt: now)
        }
    }

    private func platformAnswer(_ identity: SignInIdentity, organization: OrganizationID, logger: Logger) async -> ConsoleAdmission.PlatformAnswer {
        do {
            let candidates = try await database.withTenant(organization, logger: logger) { db in
                try await connections.list(organization, includeDisconnected: false, on: db, logger: logger)
            }.filter {
                $0.platform == identity.provider.platform && $0.health != .disconnected
                    && $0.workspaceID.lowercased() == identity.tenant.lowercased()
            }
            guard let connection = candidates.first else { return .notConnected }
            let connector = try await access.connector(for: connection, database: database, logger: logger)
            return try await connector.isAdministrator(platformUserID: identity.subject) ? .admin : .notAdmin
        } catch {
            logger.warning("console sign-in could not check admin rights", metadata: ["error": "\(error)"])
            return .unavailable
        }
    }

    private func record(
        _ member: ConsoleMember, via: ConsoleMember.Source?, organization: OrganizationID, requestID: String?,
        on db: PostgresConnection, logger: Logger
    ) async throws {
        if let via {
            try await audit.append(
                .init(
                    action: "console.member_admitted", targetType: "member", targetID: member.id.description,
                    details: [
                        "provider": member.identity.provider.rawValue, "via": via.rawValue, "role": member.role.rawValue,
                        "name": member.identity.label,
                    ]),
                organization: organization, actor: .member(member.id), requestID: requestID, on: db, logger: logger)
        }
        try await audit.append(
            .init(
                action: "console.signed_in", targetType: "member", targetID: member.id.description,
                details: ["provider": member.identity.provider.rawValue]),
            organization: organization, actor: .member(member.id), requestID: requestID, on: db, logger: logger)
    }

    // MARK: API keys

    /// Exchanges an organization API key for a session of its organization with its role.
    public func signIn(apiKey: String, requestID: String?, logger: Logger) async throws -> ConsoleSession {
        let trimmed = apiKey.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = try await administration.admit(token: trimmed, logger: logger)?.key else { throw Failure.invalidAPIKey }
        try await database.withTenant(key.organizationID, logger: logger) { db in
            try await audit.append(
                .init(action: "console.signed_in", targetType: "api_key", targetID: key.id.description, details: ["provider": "api_key"]),
                organization: key.organizationID, actor: .apiKey(key.id, key.role), requestID: requestID, on: db, logger: logger)
        }
        return ConsoleSession(organizationID: key.organizationID, memberID: nil, apiKeyID: key.id, signedInAt: settings.now())
    }

    // MARK: Invitations

    /// The organization and invitation a link's token stands for, usable or not.
    public func invitation(_ token: String, logger: Logger) async throws -> (Organization, ConsoleInvitation) {
        guard let parsed = ScopedToken(parsing: token, prefix: ScopedToken.invitationPrefix) else { throw Failure.invitationInvalid }
        let found = try await database.withTenant(parsed.organizationID, logger: logger) { db -> (Organization, ConsoleInvitation)? in
            guard let organization = try await organizations.find(parsed.organizationID.description, on: db, logger: logger),
                let invitation = try await invitations.find(parsed.organizationID, hash: parsed.hash, on: db, logger: logger)
            else { return nil }
            return (organization, invitation)
        }
        guard let found else { throw Failure.invitationInvalid }
        return found
    }

    // MARK: The attempt cookie

    func seal(_ attempt: Attempt) throws -> String {
        let sealed = try access.secrets.seal(JSONEncoder().encode(attempt), context: "console-sign-in")
        return Data((sealed.keyID + ".").utf8 + sealed.combined).base64URL
    }

    func open(_ text: String) -> Attempt? {
        guard let data = Data(base64URL: text), let dot = data.firstIndex(of: UInt8(ascii: ".")),
            let keyID = String(data: data[..<dot], encoding: .utf8),
            let opened = try? access.secrets.open(.init(keyID: keyID, combined: Data(data[data.index(after: dot)...])), context: "console-sign-in")
        else { return nil }
        return try? JSONDecoder().decode(Attempt.self, from: opened)
    }
}
