import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// An organization's SCIM tokens: created (the secret shown once), listed, revoked, and admitted
/// when an identity provider presents one. Shared by the HTTP API and the CLI.
public struct ScimTokens: Sendable {
    let database: Database
    let now: @Sendable () -> Date
    let tokens = ScimTokenRepository()
    let audit = AuditLogRepository()

    public init(database: Database, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.now = now
    }

    public struct Created: Sendable {
        public var token: ScimToken
        /// The bearer secret, shown once.
        public var secret: String
    }

    public func create(_ name: String, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger) async throws -> Created {
        let name = try Organization.validateName(name)
        let secret = ScopedToken(prefix: ScopedToken.scimTokenPrefix, organizationID: organization)
        let token = ScimToken(
            id: .random(), organizationID: organization, name: name, hint: secret.hint, createdBy: actor.label, createdAt: now(),
            lastUsedAt: nil, revokedAt: nil)
        try await database.withTenant(organization, logger: logger) { db in
            try await tokens.insert(token, hash: secret.hash, on: db, logger: logger)
            try await audit.append(
                .init(action: "scim_token.created", targetType: "scim_token", targetID: token.id.description, details: ["name": name]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
        }
        return Created(token: token, secret: secret.value)
    }

    public func list(_ organization: OrganizationID, includeRevoked: Bool, logger: Logger) async throws -> [ScimToken] {
        try await database.withTenant(organization, logger: logger) { db in
            try await tokens.list(organization, includeRevoked: includeRevoked, on: db, logger: logger)
        }
    }

    /// Revokes a token at once: the next request that presents it is refused.
    public func revoke(_ id: ScimTokenID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger) async throws
        -> ScimToken
    {
        try await database.withTenant(organization, logger: logger) { db in
            let token = try await tokens.revoke(organization, id, at: now(), on: db, logger: logger)
            try await audit.append(
                .init(action: "scim_token.revoked", targetType: "scim_token", targetID: id.description),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return token
        }
    }

    /// Whether a presented secret is a live token. Reads only the organization the secret names.
    public func admit(_ presented: String, logger: Logger) async throws -> Bool {
        guard let secret = ScopedToken(parsing: presented, prefix: ScopedToken.scimTokenPrefix) else { return false }
        return try await database.withTransaction(logger: logger) { db in
            try await tokens.admit(secret.organizationID, hash: secret.hash, at: now(), on: db, logger: logger)
        }
    }
}
