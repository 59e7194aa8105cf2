import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence

/// An organization's relay policy and restricted people, as admins set them
/// (`/v1/orgs/{org}/relay/…`); every change is in the audit log.
public struct RelayPolicies: Sendable {
    let database: Database
    let policies = RelayPolicyRepository()
    let people = PeopleRepository()
    let audit = AuditLogRepository()

    public init(database: Database) { self.database = database }

    public func policy(_ organization: OrganizationID, logger: Logger) async throws -> RelayPolicy {
        try await database.withTenant(organization, logger: logger) { db in try await policies.policy(organization, on: db, logger: logger) }
    }

    /// Changes what is given (nil: unchanged) and returns the policy now in force.
    public func update(
        _ organization: OrganizationID, filesAllowed: Bool?, standInFilesAllowed: Bool?, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> RelayPolicy {
        try await database.withTenant(organization, logger: logger) { db in
            var policy = try await policies.policy(organization, on: db, logger: logger)
            policy.filesAllowed = filesAllowed ?? policy.filesAllowed
            policy.standInFilesAllowed = standInFilesAllowed ?? policy.standInFilesAllowed
            try await policies.save(organization, policy, by: actor.label, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "relay.policy_updated", targetType: "organization", targetID: organization.description,
                    details: ["files_allowed": "\(policy.filesAllowed)", "stand_in_files_allowed": "\(policy.standInFilesAllowed)"]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return policy
        }
    }

    public func restrictions(_ organization: OrganizationID, after: PersonID?, limit: Int, logger: Logger) async throws
        -> [RelayPolicyRepository.Restriction]
    {
        try await database.withTenant(organization, logger: logger) { db in
            try await policies.restrictions(organization, after: after, limit: limit, on: db, logger: logger)
        }
    }

    /// Restricts a person (404 when there is no such person); returns whether it changed anything.
    public func restrict(_ organization: OrganizationID, _ person: PersonID, actor: AuditActor, requestID: String?, logger: Logger) async throws
        -> Bool
    {
        try await database.withTenant(organization, logger: logger) { db in
            _ = try await people.get(organization, person, on: db, logger: logger)
            guard try await policies.restrict(organization, person, by: actor.label, on: db, logger: logger) else { return false }
            try await audit.append(
                .init(action: "relay.person_restricted", targetType: "person", targetID: person.description), organization: organization,
                actor: actor, requestID: requestID, on: db, logger: logger)
            return true
        }
    }

    /// Lifts a person's restriction (404 when they were not restricted).
    public func lift(_ organization: OrganizationID, _ person: PersonID, actor: AuditActor, requestID: String?, logger: Logger) async throws {
        try await database.withTenant(organization, logger: logger) { db in
            guard try await policies.lift(organization, person, on: db, logger: logger) else { throw DomainError.notFound(resource: "restriction") }
            try await audit.append(
                .init(action: "relay.restriction_lifted", targetType: "person", targetID: person.description), organization: organization,
                actor: actor, requestID: requestID, on: db, logger: logger)
        }
    }
}
