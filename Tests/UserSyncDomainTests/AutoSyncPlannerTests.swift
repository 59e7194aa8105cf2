import Foundation
import Testing
import UserSyncDomain

@Suite struct AutoSyncPlannerTests {
    typealias Planner = AutoSyncPlanner
    typealias Skip = Planner.Plan.Skip

    let slack = ConnectionID.random(), teams = ConnectionID.random(), zoom = ConnectionID.random()

    func policy(
        priority: Int = 100, primary: ConnectionID? = nil, onto secondaries: [ConnectionID]? = nil, enabled: Bool = true,
        removesOnLeave: Bool = true, overridesAdmin: Bool = false, hold: RemovalHold = .default, age: TimeInterval = 0
    ) -> AutoSyncPolicy {
        AutoSyncPolicy(
            id: .random(),
            settings: .init(
                name: "Engineering", group: .init(source: .scim, connectionID: nil, id: UUID().lowercasedText, displayName: nil),
                primaryConnectionID: primary ?? slack, secondaryConnectionIDs: secondaries ?? [teams, zoom], enabled: enabled,
                priority: priority, removesOnLeave: removesOnLeave, overridesAdminPrimary: overridesAdmin, removalHold: hold),
            createdAt: Date(timeIntervalSince1970: 1_000_000 - age), updatedAt: Date(timeIntervalSince1970: 1_000_000))
    }

    func person(
        _ email: String, on connections: Set<ConnectionID>? = nil, primary: ConnectionID? = nil, source: PrimaryResolution.Source? = nil,
        syncs: [ConnectionID: Planner.ExistingSync] = [:]
    ) -> Planner.PersonState {
        Planner.PersonState(
            id: .random(), email: email, primary: primary, primarySource: primary == nil ? nil : source ?? .default,
            activeConnections: connections ?? [slack, teams, zoom], syncs: syncs)
    }

    func member(_ email: String?, active: Bool = true) -> Planner.Member {
        Planner.Member(externalID: email ?? UUID().lowercasedText, email: email, active: active)
    }

    @Test func aJoinerGetsThePolicysPrimaryAndIsSyncedOntoEverySecondary() {
        let engineering = policy()
        let ada = person("ada@example.com")
        let plan = Planner.plan(engineering, policies: [engineering], members: [engineering.id: [member("ada@example.com")]], people: [ada])
        #expect(plan.primaries == [.init(person: ada.id, connection: slack)])
        #expect(plan.starts == [.init(person: ada.id, connection: teams), .init(person: ada.id, connection: zoom)])
        #expect(plan.removals.isEmpty && plan.holdReason == nil && plan.skips.isEmpty)
    }

    @Test func existingSyncsAreLeftAndAnAdminsSyncStaysTheAdmins() {
        let engineering = policy()
        let byHand = SyncID.random()
        let ada = person("ada@example.com", primary: slack, syncs: [teams: .init(id: byHand, policy: nil)])
        let plan = Planner.plan(engineering, policies: [engineering], members: [engineering.id: [member("ada@example.com")]], people: [ada])
        #expect(plan.primaries.isEmpty)
        #expect(plan.starts == [.init(person: ada.id, connection: zoom)])
        #expect(plan.handovers.isEmpty && plan.removals.isEmpty)
    }

    @Test func anAdminsPrimaryWinsUnlessThePolicyOverridesIt() {
        let ada = person("ada@example.com", primary: teams, source: .admin)
        let members = { (policy: AutoSyncPolicy) in [policy.id: [self.member("ada@example.com")]] }

        let polite = policy()
        let kept = Planner.plan(polite, policies: [polite], members: members(polite), people: [ada])
        #expect(kept.primaries.isEmpty)
        #expect(
            kept.skips == [
                Skip(person: ada.id, connection: slack, reason: .adminChosePrimary),
                Skip(person: ada.id, connection: teams, reason: .secondaryIsPrimary),
            ])
        #expect(kept.starts == [.init(person: ada.id, connection: zoom)])

        let firm = policy(overridesAdmin: true)
        let overridden = Planner.plan(firm, policies: [firm], members: members(firm), people: [ada])
        #expect(overridden.primaries == [.init(person: ada.id, connection: slack)])
        #expect(overridden.starts == [.init(person: ada.id, connection: teams), .init(person: ada.id, connection: zoom)])
    }

    @Test func aDefaultPrimaryGivesWayToThePolicys() {
        let engineering = policy()
        let ada = person("ada@example.com", primary: teams, source: .default)
        let plan = Planner.plan(engineering, policies: [engineering], members: [engineering.id: [member("ada@example.com")]], people: [ada])
        #expect(plan.primaries == [.init(person: ada.id, connection: slack)])
    }

    @Test func withoutAnAccountOnThePrimaryPlatformThePersonKeepsTheirsOrHasNone() {
        let engineering = policy()
        let onTeams = person("ada@example.com", on: [teams, zoom], primary: teams)
        let nowhere = person("bob@example.com", on: [teams, zoom])
        let plan = Planner.plan(
            engineering, policies: [engineering], members: [engineering.id: [member("ada@example.com"), member("bob@example.com")]],
            people: [onTeams, nowhere])
        #expect(plan.primaries.isEmpty)
        #expect(plan.starts == [.init(person: onTeams.id, connection: zoom)])
        #expect(
            plan.skips == [
                Skip(person: onTeams.id, connection: slack, reason: .notOnPrimaryPlatform),
                Skip(person: onTeams.id, connection: teams, reason: .secondaryIsPrimary),
                Skip(person: nowhere.id, connection: slack, reason: .notOnPrimaryPlatform),
                Skip(person: nowhere.id, connection: teams, reason: .noPrimary),
                Skip(person: nowhere.id, connection: zoom, reason: .noPrimary),
            ])
    }

    @Test func aSyncOntoThePolicysPrimaryKeepsTheCurrentPrimary() {
        let engineering = policy()
        let ada = person("ada@example.com", primary: teams, syncs: [slack: .init(id: .random(), policy: nil)])
        let plan = Planner.plan(engineering, policies: [engineering], members: [engineering.id: [member("ada@example.com")]], people: [ada])
        #expect(plan.primaries.isEmpty)
        #expect(plan.skips.first == Skip(person: ada.id, connection: slack, reason: .syncOnPrimary))
    }

    @Test func inTwoGroupsTheLowerPriorityNumberChoosesThePrimaryAndBothSync() {
        let sales = policy(priority: 10, primary: teams, onto: [zoom])
        let engineering = policy(priority: 20, primary: slack, onto: [teams])
        let ada = person("ada@example.com")
        let members = [sales.id: [member("ada@example.com")], engineering.id: [member("ada@example.com")]]

        let bySales = Planner.plan(sales, policies: [sales, engineering], members: members, people: [ada])
        #expect(bySales.primaries == [.init(person: ada.id, connection: teams)])
        #expect(bySales.starts == [.init(person: ada.id, connection: zoom)])

        var settled = ada
        settled.primary = teams
        let byEngineering = Planner.plan(engineering, policies: [sales, engineering], members: members, people: [settled])
        #expect(byEngineering.primaries.isEmpty)
        #expect(
            byEngineering.skips == [
                Skip(person: ada.id, connection: slack, reason: .governedByAnotherPolicy),
                Skip(person: ada.id, connection: teams, reason: .secondaryIsPrimary),
            ])
    }

    @Test func equalPrioritiesGoToTheOlderPolicy() {
        let older = policy(primary: teams, onto: [zoom], age: 60)
        let newer = policy(primary: slack, onto: [zoom])
        let ada = person("ada@example.com")
        let members = [older.id: [member("ada@example.com")], newer.id: [member("ada@example.com")]]
        #expect(Planner.plan(newer, policies: [newer, older], members: members, people: [ada]).skips.first?.reason == .governedByAnotherPolicy)
        #expect(
            Planner.plan(older, policies: [newer, older], members: members, people: [ada]).primaries == [.init(person: ada.id, connection: teams)])
    }

    @Test func aDisabledPolicyGovernsNothing() {
        let off = policy(priority: 1, primary: teams, enabled: false)
        let on = policy(priority: 50)
        let ada = person("ada@example.com")
        let members = [off.id: [member("ada@example.com")], on.id: [member("ada@example.com")]]
        #expect(Planner.plan(on, policies: [off, on], members: members, people: [ada]).primaries == [.init(person: ada.id, connection: slack)])
        #expect(Planner.plan(off, policies: [off, on], members: members, people: [ada]).isEmpty)

        // Switched off, it keeps the syncs it made even for people who left.
        let leaver = person("bob@example.com", primary: slack, syncs: [teams: .init(id: .random(), policy: off.id)])
        let plan = Planner.plan(off, policies: [off, on], members: members, people: [ada, leaver])
        #expect(plan.isEmpty && plan.syncedBefore == 1 && plan.holdReason == nil)
    }

    @Test func leaversLoseThePolicysSyncsAndOnlyThose() {
        let engineering = policy(hold: .init(overCount: nil, overPercent: nil))
        let mine = SyncID.random(), admins = SyncID.random()
        let left = person(
            "ada@example.com", primary: slack, syncs: [teams: .init(id: mine, policy: engineering.id), zoom: .init(id: admins, policy: nil)])
        let disabled = person("bob@example.com", primary: slack, syncs: [teams: .init(id: .random(), policy: engineering.id)])
        let plan = Planner.plan(
            engineering, policies: [engineering], members: [engineering.id: [member("bob@example.com", active: false)]],
            people: [left, disabled])
        #expect(
            plan.removals == [
                .init(sync: mine, person: left.id, connection: teams),
                .init(sync: disabled.syncs[teams]!.id, person: disabled.id, connection: teams),
            ])
        #expect(plan.starts.isEmpty && plan.syncedBefore == 2)
    }

    @Test func aLeaversSyncPassesToAnotherPolicyThatWantsIt() {
        let engineering = policy(priority: 10, onto: [teams])
        let everyone = policy(priority: 90, onto: [teams])
        let mine = SyncID.random()
        let ada = person("ada@example.com", primary: slack, syncs: [teams: .init(id: mine, policy: engineering.id)])
        let plan = Planner.plan(
            engineering, policies: [engineering, everyone], members: [engineering.id: [], everyone.id: [member("ada@example.com")]], people: [ada])
        #expect(plan.handovers == [.init(sync: mine, person: ada.id, to: everyone.id)])
        #expect(plan.removals.isEmpty)
    }

    @Test func aGroupWhoseMembershipWasNeverReadPlansNothing() {
        let engineering = policy(hold: .init(overCount: nil, overPercent: nil))
        let ada = person("ada@example.com", primary: slack, syncs: [teams: .init(id: .random(), policy: engineering.id)])
        let unknown = Planner.plan(engineering, policies: [engineering], members: [:], people: [ada])
        #expect(unknown.isEmpty && !unknown.membershipKnown)
        let empty = Planner.plan(engineering, policies: [engineering], members: [engineering.id: []], people: [ada])
        #expect(empty.removals.count == 1 && empty.membershipKnown)
    }

    @Test func aPolicyThatKeepsSyncsOnLeaveRemovesNothing() {
        let keeper = policy(removesOnLeave: false)
        let ada = person("ada@example.com", primary: slack, syncs: [teams: .init(id: .random(), policy: keeper.id)])
        #expect(Planner.plan(keeper, policies: [keeper], members: [:], people: [ada]).isEmpty)
    }

    @Test func aConnectionDroppedFromThePolicyIsUnsynced() {
        let engineering = policy(onto: [zoom])
        let dropped = SyncID.random()
        let ada = person(
            "ada@example.com", primary: slack,
            syncs: [teams: .init(id: dropped, policy: engineering.id), zoom: .init(id: .random(), policy: engineering.id)])
        let plan = Planner.plan(engineering, policies: [engineering], members: [engineering.id: [member("ada@example.com")]], people: [ada])
        #expect(plan.removals == [.init(sync: dropped, person: ada.id, connection: teams)])
    }

    @Test func membersWithoutAPersonAreListedOnce() {
        let engineering = policy()
        let plan = Planner.plan(
            engineering, policies: [engineering],
            members: [
                engineering.id: [member("new@example.com"), member("new@example.com"), member(nil), member("gone@example.com", active: false)]
            ],
            people: [])
        #expect(plan.notOnAnyPlatform.map(\.email) == ["new@example.com", nil])
        #expect(plan.isEmpty)
    }

    @Test func removalsBeyondTheHoldWaitAndAdditionsDoNot() {
        let engineering = policy(hold: .init(overCount: nil, overPercent: 10))
        let staying = (0..<6).map { person("p\($0)@example.com", primary: slack, syncs: [teams: .init(id: .random(), policy: engineering.id)]) }
        let leaving = (0..<4).map { person("l\($0)@example.com", primary: slack, syncs: [teams: .init(id: .random(), policy: engineering.id)]) }
        let joiner = person("new@example.com")
        let members = [engineering.id: (staying + [joiner]).map { member($0.email) }]
        let plan = Planner.plan(engineering, policies: [engineering], members: members, people: staying + leaving + [joiner])
        #expect(plan.removals.count == 4 && plan.syncedBefore == 10)
        #expect(plan.holdReason == "The run would unsync 4 of the 10 people the policy syncs (40%), more than its limit of 10% without approval.")
        #expect(plan.starts.contains(.init(person: joiner.id, connection: teams)))
    }
}

@Suite struct RemovalHoldTests {
    @Test(arguments: [
        (RemovalHold.default, 0, 0, false), (.default, 1, 10, false), (.default, 2, 10, true), (.default, 25, 1_000, false),
        (.default, 26, 1_000, true), (.init(overCount: nil, overPercent: nil), 5_000, 5_000, false),
        (.init(overCount: 0, overPercent: nil), 1, 1_000, true), (.init(overCount: nil, overPercent: 100), 7, 7, false),
        (.init(overCount: nil, overPercent: 0), 1, 1_000, true), (.init(overCount: nil, overPercent: 50), 3, 0, true),
    ])
    func holdsWhatIsOverEitherBound(hold: RemovalHold, removing: Int, synced: Int, held: Bool) {
        #expect((hold.reason(removing: removing, of: synced) != nil) == held)
    }
}
