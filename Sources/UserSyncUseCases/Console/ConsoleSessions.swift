import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// The console's sessions: stored under the SHA-256 of the cookie's id, ended by idle time, by
/// their absolute lifetime, by sign-out, and as soon as their member or API key is revoked.
/// Shared by the API's session store and tests.
public struct ConsoleSessions: Sendable {
    let database: Database
    let settings: ConsoleSettings
    let sessions = ConsoleSessionRepository()
    let members = ConsoleMemberRepository()
    let keys = APIKeyRepository()
    let organizations = OrganizationRepository()

    public init(database: Database, settings: ConsoleSettings) {
        self.database = database
        self.settings = settings
    }

    static func hash(_ key: String) -> Data { sha256(key) }

    /// Stores a session under `key` (the cookie's value), or replaces the one stored there.
    public func store(key: String, _ session: ConsoleSession, logger: Logger) async throws {
        let principal: ConsoleSessionRepository.Principal
        if let member = session.memberID {
            principal = .member(member)
        } else if let key = session.apiKeyID {
            principal = .apiKey(key)
        } else {
            throw DomainError.unauthenticated(message: "A session needs a member or an API key.")
        }
        let data = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        let now = settings.now()
        try await database.withTenant(session.organizationID, logger: logger) { db in
            try await sessions.insert(
                session.organizationID, hash: Self.hash(key), principal: principal, data: data, at: now,
                idle: settings.idleTimeout.seconds, expiresAt: session.signedInAt.addingTimeInterval(settings.sessionLifetime.seconds),
                on: db, logger: logger)
        }
    }

    /// The live session stored under `key`, and how long until it ends at the latest. Looking
    /// it up keeps it from ending idle.
    public func load(key: String, logger: Logger) async throws -> (session: ConsoleSession, remaining: Duration)? {
        let now = settings.now()
        let found = try await database.withConsoleSessionScope(logger: logger) { db in
            try await sessions.touch(hash: Self.hash(key), at: now, idle: settings.idleTimeout.seconds, on: db, logger: logger)
        }
        guard let found, let session = try? JSONDecoder().decode(ConsoleSession.self, from: Data(found.data.utf8)),
            session.organizationID == found.organization
        else { return nil }
        return (session, .seconds(found.expiresAt.timeIntervalSince(now)))
    }

    /// Ends the session stored under `key` (sign-out).
    public func end(key: String, logger: Logger) async throws {
        try await database.withConsoleSessionScope(logger: logger) { db in
            try await sessions.delete(hash: Self.hash(key), on: db, logger: logger)
        }
    }

    /// Who the session is, if its member or key is still live: a revoked member or key ends
    /// every session at its next request.
    public func identify(_ session: ConsoleSession, logger: Logger) async throws -> ConsoleIdentity? {
        let organization = session.organizationID
        return try await database.withTenant(organization, logger: logger) { db -> ConsoleIdentity? in
            guard let found = try await organizations.find(organization.description, on: db, logger: logger) else { return nil }
            if let id = session.memberID {
                let member: ConsoleMember
                do { member = try await members.get(organization, id, on: db, logger: logger) } catch DomainError.notFound { return nil }
                guard !member.isRevoked else { return nil }
                return ConsoleIdentity(
                    organization: found, role: member.role, actor: .member(id), name: member.identity.label, csrfToken: session.csrfToken,
                    memberID: id)
            }
            if let id = session.apiKeyID {
                guard let key = try await keys.get(organization, id, on: db, logger: logger), key.revokedAt == nil else { return nil }
                return ConsoleIdentity(
                    organization: found, role: key.role, actor: .apiKey(id, key.role), name: "API key “\(key.name)”",
                    csrfToken: session.csrfToken, memberID: nil)
            }
            return nil
        }
    }
}
