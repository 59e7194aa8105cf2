import Foundation

/// One Auto Sync run of a policy: its plan (``AutoSyncPlanner/Plan``) and what became of it.
///
/// A run applies its primaries, starts and handovers when it is made. Its removals are applied
/// at once too, unless the policy's ``RemovalHold`` holds them: then the run is `held` until an
/// admin approves (the removals still planned then are applied) or rejects it (the held syncs
/// stay, and the policy lets go of them: they are kept from then on as if an admin had started
/// them, so the next run does not propose them again). A newer held plan supersedes an older
/// one nobody decided.
public struct AutoSyncRun: Sendable, Equatable {
    public enum Trigger: String, Sendable, CaseIterable, Codable {
        case policyCreated = "policy_created"
        case policyUpdated = "policy_updated"
        /// The group's membership changed (a Graph delta poll, a SCIM request).
        case membershipChanged = "membership_changed"
        /// An import brought accounts that members may match.
        case `import`
        /// An admin or operator asked for a run.
        case manual
    }

    public enum State: String, Sendable, CaseIterable {
        case applied, held, approved, rejected, superseded
    }

    public struct Counts: Sendable, Equatable {
        public var primaries = 0, starts = 0, handovers = 0, removals = 0, skips = 0, notOnAnyPlatform = 0
        public init() {}

        public init(_ plan: AutoSyncPlanner.Plan) {
            primaries = plan.primaries.count
            starts = plan.starts.count
            handovers = plan.handovers.count
            removals = plan.removals.count
            skips = plan.skips.count
            notOnAnyPlatform = plan.notOnAnyPlatform.count
        }
    }

    public let id: AutoSyncRunID
    public let policyID: AutoSyncPolicyID
    public let trigger: Trigger
    public var state: State
    public let counts: Counts
    public let syncedBefore: Int
    public let holdReason: String?
    public var decidedBy: String?
    public var decidedAt: Date?
    public let createdAt: Date

    public init(
        id: AutoSyncRunID, policyID: AutoSyncPolicyID, trigger: Trigger, state: State, counts: Counts, syncedBefore: Int,
        holdReason: String?, decidedBy: String? = nil, decidedAt: Date? = nil, createdAt: Date
    ) {
        self.id = id
        self.policyID = policyID
        self.trigger = trigger
        self.state = state
        self.counts = counts
        self.syncedBefore = syncedBefore
        self.holdReason = holdReason
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.createdAt = createdAt
    }

    /// The run of `plan`, made at `now`: held when the plan's removals wait for approval.
    public static func of(_ plan: AutoSyncPlanner.Plan, policy: AutoSyncPolicyID, trigger: Trigger, now: Date) -> AutoSyncRun {
        AutoSyncRun(
            id: .random(), policyID: policy, trigger: trigger, state: plan.holdReason == nil ? .applied : .held, counts: Counts(plan),
            syncedBefore: plan.syncedBefore, holdReason: plan.holdReason, createdAt: now)
    }

    /// An admin's decision on a held run.
    public enum Decision: String, Sendable {
        case approve, reject
    }

    /// The run after `decision` by `actor` at `now`; only a held run can be decided.
    public func deciding(_ decision: Decision, by actor: String, at now: Date) throws(DomainError) -> AutoSyncRun {
        guard state == .held else {
            throw .conflict(code: "run_not_held", message: "Only a held run can be approved or rejected; this one is \(state.rawValue).")
        }
        var decided = self
        decided.state = decision == .approve ? .approved : .rejected
        decided.decidedBy = actor
        decided.decidedAt = now
        return decided
    }

    /// What approving a held run removes: its held removals that a plan made now still wants.
    /// A person who came back into the group since, or a sync that is gone or was handed over,
    /// is left alone; removals the plan finds only now wait for their own run.
    public static func approvedRemovals(held: [SyncID], now plan: AutoSyncPlanner.Plan) -> [AutoSyncPlanner.Plan.Removal] {
        let approved = Set(held)
        return plan.removals.filter { approved.contains($0.sync) }
    }
}

public typealias AutoSyncRunID = Identifier<AutoSyncRun>

extension AutoSyncRun {
    /// One line of a run's plan.
    public struct Item: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case primary, start, handover, removal, skip
            case notOnAnyPlatform = "not_on_any_platform"
        }

        public var kind: Kind
        public var person: PersonID?
        /// The person's (or unmatched member's) email when the run was made.
        public var email: String?
        public var connection: ConnectionID?
        public var sync: SyncID?
        public var toPolicy: AutoSyncPolicyID?
        /// A skip's reason code; a start's expectation code (``SyncPreview/Expectation/code``).
        public var detail: String?
        /// An unmatched member's id in the directory.
        public var externalID: String?

        public init(
            kind: Kind, person: PersonID? = nil, email: String? = nil, connection: ConnectionID? = nil, sync: SyncID? = nil,
            toPolicy: AutoSyncPolicyID? = nil, detail: String? = nil, externalID: String? = nil
        ) {
            self.kind = kind
            self.person = person
            self.email = email
            self.connection = connection
            self.sync = sync
            self.toPolicy = toPolicy
            self.detail = detail
            self.externalID = externalID
        }
    }

    /// The lines of `plan`, each kind in the planner's order; `expectations` are the starts'
    /// expectation codes by position, `emails` the people's addresses.
    public static func items(of plan: AutoSyncPlanner.Plan, expectations: [String], emails: [PersonID: String]) -> [Item] {
        plan.primaries.map { Item(kind: .primary, person: $0.person, email: emails[$0.person], connection: $0.connection) }
            + plan.starts.enumerated().map { index, start in
                Item(
                    kind: .start, person: start.person, email: emails[start.person], connection: start.connection,
                    detail: index < expectations.count ? expectations[index] : nil)
            }
            + plan.handovers.map { Item(kind: .handover, person: $0.person, email: emails[$0.person], sync: $0.sync, toPolicy: $0.to) }
            + plan.removals.map { Item(kind: .removal, person: $0.person, email: emails[$0.person], connection: $0.connection, sync: $0.sync) }
            + plan.skips.map { Item(kind: .skip, person: $0.person, email: emails[$0.person], connection: $0.connection, detail: $0.reason.rawValue) }
            + plan.notOnAnyPlatform.map { Item(kind: .notOnAnyPlatform, email: $0.email, externalID: $0.externalID) }
    }
}
