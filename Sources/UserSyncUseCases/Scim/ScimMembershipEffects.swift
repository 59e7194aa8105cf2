import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// What a SCIM change that can change who is in a group sets off: runs of the enabled Auto Sync
/// policies that follow the groups, asked for in the change's own transaction, so that a
/// committed change always has its runs queued and a rolled-back one never does.
enum ScimMembershipEffects {
    static func groupsChanged(_ groups: [String], organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        let policies = try await AutoSyncPolicyRepository().enabled(organization, scimGroups: groups, on: db, logger: logger)
        try await request(policies, organization: organization, on: db, logger: logger)
    }

    /// A member's standing changed (deactivated, reactivated, another email) without the
    /// membership changing: every group the user is in is affected.
    static func userChanged(_ user: String, organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        let policies = try await AutoSyncPolicyRepository().enabled(organization, groupsOfScimUser: user, on: db, logger: logger)
        try await request(policies, organization: organization, on: db, logger: logger)
    }

    /// Queues run jobs for policies a membership statement already asked runs of, and found
    /// with no request waiting.
    static func queue(_ fresh: [AutoSyncPolicyID], organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        guard !fresh.isEmpty else { return }
        try await AutoSyncRuns.queue(fresh, trigger: .membershipChanged, organization: organization, on: db, logger: logger)
    }

    /// Asks for runs of these policies (those ``ScimGroupRepository/lock(_:id:displayName:externalId:on:logger:)`` read).
    static func request(_ policies: [AutoSyncPolicyID], organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        guard !policies.isEmpty else { return }
        try await AutoSyncRuns.request(policies, trigger: .membershipChanged, organization: organization, on: db, logger: logger)
        logger.debug("scim change asks for auto sync runs", metadata: ["policies": "\(policies.map(\.description))"])
    }
}
