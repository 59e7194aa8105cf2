import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

extension ScimGroups {
    /// `PATCH /Groups/{id}`: every operation is checked before the database is touched; then the
    /// group is locked (its name and external id set, and its policies read, in the same
    /// statement), the membership changes are applied in order, one statement each, and runs are
    /// asked for if anyone joined or left (by each membership statement itself, in the same round
    /// trip). The group is never read whole: Entra sends one PATCH per membership change, and a
    /// group may have tens of thousands of members.
    public func patch(_ id: String, _ request: ScimPatchRequest, caller: ScimCaller, logger: Logger) async throws {
        let organization = caller.organizationID
        let changes = try request.groupChanges()
        let attributes = try Self.attributes(changes)
        try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            guard
                let locked = try await groups.lock(
                    organization, id: id, displayName: attributes.displayName, externalId: attributes.externalId, on: db, logger: logger)
            else { throw Self.notFound(id) }
            let policies = locked.policies
            var fresh = Set<AutoSyncPolicyID>()
            for change in changes {
                let result: ScimGroupRepository.MembershipChange
                switch change {
                case .displayName, .externalId: continue
                case .addMembers(let users):
                    result = try await groups.addMembers(organization, group: id, users: users, requestingRunsOf: policies, on: db, logger: logger)
                case .removeMembers(let users):
                    result = try await groups.removeMembers(organization, group: id, users: users, requestingRunsOf: policies, on: db, logger: logger)
                case .removeAllMembers:
                    result = try await groups.replaceMembers(organization, group: id, users: [], requestingRunsOf: policies, on: db, logger: logger)
                case .replaceMembers(let users):
                    result = try await groups.replaceMembers(
                        organization, group: id, users: users, requestingRunsOf: policies, on: db, logger: logger)
                }
                try Self.refuseUnknown(result)
                fresh.formUnion(result.freshRuns)
            }
            try await ScimMembershipEffects.queue(Array(fresh), organization: organization, on: db, logger: logger)
        }
    }

    /// The name and external id the changes leave (the last of each wins); nil where none sets it.
    static func attributes(_ changes: [ScimGroupChange]) throws(ScimError) -> (displayName: String?, externalId: String??) {
        var displayName: String?, externalId: String??
        for change in changes {
            switch change {
            case .displayName(let name): displayName = name
            case .externalId(let value): externalId = .some(value)
            default: continue
            }
        }
        try ScimLimits.check(displayName, field: "displayName")
        try ScimLimits.check(externalId ?? nil, field: "externalId")
        return (displayName, externalId)
    }
}
