import Foundation
import UserSyncDomain
import UserSyncUseCases

/// An Auto Sync policy as the API shows it, with how many syncs it keeps.
public struct AutoSyncPolicyRepresentation: Encodable, Sendable {
    struct Group: Encodable, Sendable {
        let source: String
        @Nullable var connectionId: ConnectionID?
        let id: String
        @Nullable var displayName: String?
    }

    struct Hold: Encodable, Sendable {
        @Nullable var overCount: Int?
        @Nullable var overPercent: Int?
    }

    let id: AutoSyncPolicyID
    let name: String
    let group: Group
    let primaryConnectionId: ConnectionID
    let secondaryConnectionIds: [ConnectionID]
    let enabled: Bool
    let priority: Int
    let removesOnLeave: Bool
    let overridesAdminPrimary: Bool
    let removalHold: Hold
    let syncs: Int
    let createdAt: Date
    let updatedAt: Date

    public init(_ overview: AutoSyncPolicies.Overview) {
        let policy = overview.policy, s = policy.settings
        id = policy.id
        name = s.name
        group = Group(source: s.group.source.rawValue, connectionId: s.group.connectionID, id: s.group.id, displayName: s.group.displayName)
        primaryConnectionId = s.primaryConnectionID
        secondaryConnectionIds = s.secondaryConnectionIDs
        enabled = s.enabled
        priority = s.priority
        removesOnLeave = s.removesOnLeave
        overridesAdminPrimary = s.overridesAdminPrimary
        removalHold = Hold(overCount: s.removalHold.overCount, overPercent: s.removalHold.overPercent)
        syncs = overview.syncs
        createdAt = policy.createdAt
        updatedAt = policy.updatedAt
    }
}
