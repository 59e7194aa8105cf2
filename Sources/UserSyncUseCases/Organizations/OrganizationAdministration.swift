import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Organization and API key management, shared by the operator's HTTP routes and the CLI.
public struct OrganizationAdministration: Sendable {
    public let database: Database
    let organizations = OrganizationRepository()
    let keys = APIKeyRepository()
    let audit = AuditLogRepository()
    let now: @Sendable () -> Date
    /// Admissions of recently presented keys (nil: every request asks the database).
    let credentials: CredentialCache?

    public init(database: Database, credentials: CredentialCache? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.credentials = credentials
        self.now = now
    }

    /// A key as created: the secret is in `token` and is never retrievable again.
    public struct CreatedKey: Sendable {
        public let key: APIKey
        public let token: String
    }

    /// Creates an organization with a unique slug.
    public func createOrganization(slug: Slug, name: String, actor: AuditActor, requestID: String?, logger: Logger) async throws -> Organization {
        let name = try Organization.validateName(name)
        let time = now()
        let organization = Organization(id: .random(), slug: slug, name: name, createdAt: time, updatedAt: time)
        try await database.withTenant(organization.id, logger: logger) { connection in
            try await organizations.insert(organization, on: connection, logger: logger)
            try await audit.append(
                .init(
                    action: "organization.created", targetType: "organization", targetID: organization.id.description,
                    details: ["slug": slug.rawValue, "name": name]),
                organization: organization.id, actor: actor, requestID: requestID, on: connection, logger: logger)
        }
        return organization
    }

    public func listOrganizations(after cursor: String?, limit: Int, logger: Logger) async throws -> [Organization] {
        try await database.withTransaction(logger: logger) { connection in
            try await organizations.list(after: cursor, limit: limit, on: connection, logger: logger)
        }
    }

    /// The organization named by slug or id.
    public func organization(_ reference: String, logger: Logger) async throws -> Organization {
        let found = try await database.withTransaction(logger: logger) { connection in
            try await organizations.find(reference, on: connection, logger: logger)
        }
        guard let found else { throw DomainError.notFound(resource: "organization") }
        return found
    }

    public func renameOrganization(_ id: OrganizationID, to name: String, actor: AuditActor, requestID: String?, logger: Logger) async throws
        -> Organization
    {
        let name = try Organization.validateName(name)
        let renamed = try await database.withTenant(id, logger: logger) { connection in
            let renamed = try await organizations.rename(id, to: name, on: connection, logger: logger)
            try await audit.append(
                .init(action: "organization.renamed", targetType: "organization", targetID: id.description, details: ["name": name]),
                organization: id, actor: actor, requestID: requestID, on: connection, logger: logger)
            return renamed
        }
        credentials?.changed(.organization(id))
        return renamed
    }

    /// Deletes the organization and everything it owns, its audit log included.
    public func deleteOrganization(_ id: OrganizationID, logger: Logger) async throws {
        try await database.withTenant(id, logger: logger) { connection in
            try await organizations.delete(id, on: connection, logger: logger)
        }
        credentials?.changed(.organization(id))
        // Its audit log went with it; the deployment's log keeps the fact.
        logger.notice("organization deleted", metadata: ["org_id": "\(id)"])
    }

    public func createKey(
        in organization: OrganizationID, name: String, role: APIKeyRole, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> CreatedKey {
        let name = try Organization.validateName(name)
        let token = ScopedToken(prefix: ScopedToken.apiKeyPrefix, organizationID: organization)
        let key = APIKey(
            id: .random(), organizationID: organization, name: name, role: role, hint: token.hint,
            createdBy: actor.label, createdAt: now(), lastUsedAt: nil, revokedAt: nil)
        try await database.withTenant(organization, logger: logger) { connection in
            try await keys.insert(key, hash: token.hash, on: connection, logger: logger)
            try await audit.append(
                .init(
                    action: "api_key.created", targetType: "api_key", targetID: key.id.description,
                    details: ["name": name, "role": role.rawValue]),
                organization: organization, actor: actor, requestID: requestID, on: connection, logger: logger)
        }
        return CreatedKey(key: key, token: token.value)
    }

    public func listKeys(in organization: OrganizationID, includeRevoked: Bool, logger: Logger) async throws -> [APIKey] {
        try await database.withTenant(organization, logger: logger) { connection in
            try await keys.list(organization, includeRevoked: includeRevoked, on: connection, logger: logger)
        }
    }

    /// Revokes a key at once: the next request that presents it is refused.
    public func revokeKey(_ id: APIKeyID, in organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger) async throws
        -> APIKey
    {
        let key = try await database.withTenant(organization, logger: logger) { connection in
            let key = try await keys.revoke(organization, id, at: now(), on: connection, logger: logger)
            try await audit.append(
                .init(action: "api_key.revoked", targetType: "api_key", targetID: id.description),
                organization: organization, actor: actor, requestID: requestID, on: connection, logger: logger)
            return key
        }
        // Other processes hear of it from the database (sql/0013); this one forgets it now.
        credentials?.changed(.key(id))
        return key
    }

    /// The live key a presented token stands for, with its organization, or nil. Reads only the
    /// token's own organization, so no lookup ever crosses tenants; a key presented lately is
    /// admitted from ``CredentialCache`` without a round trip.
    public func admit(token presented: String, logger: Logger) async throws -> KeyAdmission? {
        guard let token = ScopedToken(parsing: presented, prefix: ScopedToken.apiKeyPrefix) else { return nil }
        let hash = token.hash, time = now()
        if let admitted = credentials?.lookup(hash, now: time) {
            if admitted.key.lastUseIsStale(at: time) {
                credentials?.noteUse(hash, at: time)
                try await database.withTenant(token.organizationID, logger: logger) { connection in
                    try await keys.recordUse(of: admitted.key.id, in: token.organizationID, at: time, on: connection, logger: logger)
                }
            }
            return admitted
        }
        let ticket = credentials?.ticket
        let admitted = try await database.withTenant(token.organizationID, logger: logger) { connection in
            try await keys.admit(token.organizationID, hash: hash, at: time, on: connection, logger: logger)
        }
        if let admitted, let ticket { credentials?.store(admitted, for: hash, ticket: ticket, now: time) }
        return admitted
    }
}
