import Foundation
import UserSyncConnectors
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

/// A policy's plan: counts of everything, and the first `limit` of each list.
public struct AutoSyncPlanRepresentation: Encodable, Sendable {
    struct Counts: Encodable, Sendable {
        let primaries: Int, starts: Int, handovers: Int, removals: Int, skips: Int, notOnAnyPlatform: Int

        init(_ c: AutoSyncRun.Counts) {
            (primaries, starts, handovers, removals, skips, notOnAnyPlatform) =
                (c.primaries, c.starts, c.handovers, c.removals, c.skips, c.notOnAnyPlatform)
        }
    }

    struct Change: Encodable, Sendable {
        let personId: PersonID
        let email: String
        @Nullable var displayName: String?
        @Nullable var connectionId: ConnectionID?
        @Nullable var platform: Platform?
        @Nullable var syncId: SyncID?
        @Nullable var toPolicyId: AutoSyncPolicyID?
        @Nullable var expectation: String?
        @Nullable var message: String?
        @Nullable var reason: String?
    }

    struct Member: Encodable, Sendable {
        let externalId: String
        @Nullable var email: String?
    }

    let policyId: AutoSyncPolicyID
    /// False until the group's membership has been read once; nothing is planned before.
    let membershipKnown: Bool
    let held: Bool
    @Nullable var holdReason: String?
    let syncedBefore: Int
    let counts: Counts
    let startsByExpectation: [String: Int]
    let skipsByReason: [String: Int]
    let primaries: [Change]
    let starts: [Change]
    let handovers: [Change]
    let removals: [Change]
    let skips: [Change]
    let notOnAnyPlatform: [Member]
    let truncated: Bool

    public init(_ preview: AutoSyncPlanning.Preview, limit: Int) {
        let plan = preview.plan
        func change(
            _ person: PersonID, connection: ConnectionID? = nil, sync: SyncID? = nil, to: AutoSyncPolicyID? = nil,
            expectation: SyncPreview.Expectation? = nil, reason: String? = nil
        ) -> Change {
            let known = preview.people[person]
            let email = known?.state.email ?? ""
            let platform = connection.flatMap { preview.connections[$0]?.platform }
            return Change(
                personId: person, email: email, displayName: known?.displayName, connectionId: connection, platform: platform, syncId: sync,
                toPolicyId: to, expectation: expectation?.code,
                message: expectation.flatMap { e in platform.map { e.message(name: known?.displayName ?? email, secondary: $0) } },
                reason: reason)
        }
        policyId = preview.policy.id
        membershipKnown = plan.membershipKnown
        held = plan.holdReason != nil
        holdReason = plan.holdReason
        syncedBefore = plan.syncedBefore
        counts = Counts(AutoSyncRun.Counts(plan))
        startsByExpectation = preview.expectations.reduce(into: [:]) { $0[$1.code, default: 0] += 1 }
        skipsByReason = plan.skips.reduce(into: [:]) { $0[$1.reason.rawValue, default: 0] += 1 }
        primaries = plan.primaries.prefix(limit).map { change($0.person, connection: $0.connection) }
        starts = zip(plan.starts, preview.expectations).prefix(limit).map { change($0.person, connection: $0.connection, expectation: $1) }
        handovers = plan.handovers.prefix(limit).map { change($0.person, sync: $0.sync, to: $0.to) }
        removals = plan.removals.prefix(limit).map { change($0.person, connection: $0.connection, sync: $0.sync) }
        skips = plan.skips.prefix(limit).map { change($0.person, connection: $0.connection, reason: $0.reason.rawValue) }
        notOnAnyPlatform = plan.notOnAnyPlatform.prefix(limit).map { Member(externalId: $0.externalID, email: $0.email) }
        truncated = [
            plan.primaries.count, plan.starts.count, plan.handovers.count, plan.removals.count, plan.skips.count,
            plan.notOnAnyPlatform.count,
        ].contains { $0 > limit }
    }
}

/// A directory group to pick for a policy.
struct DirectoryGroupRepresentation: Encodable, Sendable {
    let id: String
    let displayName: String
    @Nullable var description: String?

    init(_ group: PlatformDirectoryGroup) {
        id = group.id
        displayName = group.displayName
        description = group.description
    }
}

/// A run in a list: what triggered it, its state and counts.
public struct AutoSyncRunRepresentation: Encodable, Sendable {
    let id: AutoSyncRunID
    let policyId: AutoSyncPolicyID
    let trigger: String
    let state: String
    let counts: AutoSyncPlanRepresentation.Counts
    let syncedBefore: Int
    @Nullable var holdReason: String?
    @Nullable var decidedBy: String?
    @Nullable var decidedAt: Date?
    let createdAt: Date

    public init(_ run: AutoSyncRun) {
        id = run.id
        policyId = run.policyID
        trigger = run.trigger.rawValue
        state = run.state.rawValue
        counts = .init(run.counts)
        syncedBefore = run.syncedBefore
        holdReason = run.holdReason
        decidedBy = run.decidedBy
        decidedAt = run.decidedAt
        createdAt = run.createdAt
    }
}

/// A run with its plan: the first `limit` lines of each kind, as a preview shows them.
public struct AutoSyncRunDetailRepresentation: Encodable, Sendable {
    typealias Change = AutoSyncPlanRepresentation.Change
    let run: AutoSyncRunRepresentation
    let startsByExpectation: [String: Int]
    let skipsByReason: [String: Int]
    let primaries: [Change]
    let starts: [Change]
    let handovers: [Change]
    let removals: [Change]
    let skips: [Change]
    let notOnAnyPlatform: [AutoSyncPlanRepresentation.Member]
    let truncated: Bool

    public init(_ detail: AutoSyncRuns.Detail, limit: Int) {
        run = AutoSyncRunRepresentation(detail.run)
        startsByExpectation = detail.tallies[.start] ?? [:]
        skipsByReason = detail.tallies[.skip] ?? [:]
        func changes(_ kind: AutoSyncRun.Item.Kind) -> [Change] {
            detail.items.filter { $0.kind == kind }.compactMap { item in
                guard let person = item.person else { return nil }
                return Change(
                    personId: person, email: item.email ?? "", displayName: nil, connectionId: item.connection,
                    platform: item.connection.flatMap { detail.platforms[$0] }, syncId: item.sync, toPolicyId: item.toPolicy,
                    expectation: kind == .start ? item.detail : nil, message: nil, reason: kind == .skip ? item.detail : nil)
            }
        }
        primaries = changes(.primary)
        starts = changes(.start)
        handovers = changes(.handover)
        removals = changes(.removal)
        skips = changes(.skip)
        notOnAnyPlatform = detail.items.filter { $0.kind == .notOnAnyPlatform }.map { .init(externalId: $0.externalID ?? "", email: $0.email) }
        let c = detail.run.counts
        truncated = [c.primaries, c.starts, c.handovers, c.removals, c.skips, c.notOnAnyPlatform].contains { $0 > limit }
    }
}
