import Foundation
import Testing
import UserSyncDomain

@Suite struct AutoSyncRunTests {
    let policy = AutoSyncPolicyID.random(), person = PersonID.random(), connection = ConnectionID.random()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aPlanWithAHoldReasonMakesAHeldRun() {
        var plan = AutoSyncPlanner.Plan()
        plan.removals = [.init(sync: .random(), person: person, connection: connection)]
        #expect(AutoSyncRun.of(plan, policy: policy, trigger: .manual, now: now).state == .applied)
        plan.holdReason = "too many"
        let held = AutoSyncRun.of(plan, policy: policy, trigger: .membershipChanged, now: now)
        #expect(held.state == .held && held.holdReason == "too many" && held.counts.removals == 1 && held.createdAt == now)
    }

    @Test func onlyAHeldRunIsDecidedAndTheDecisionIsRecorded() throws {
        var plan = AutoSyncPlanner.Plan()
        plan.holdReason = "too many"
        let held = AutoSyncRun.of(plan, policy: policy, trigger: .manual, now: now)
        let approved = try held.deciding(.approve, by: "key:x", at: now)
        #expect(approved.state == .approved && approved.decidedBy == "key:x" && approved.decidedAt == now)
        #expect(try held.deciding(.reject, by: "key:x", at: now).state == .rejected)
        #expect(throws: DomainError.self) { try approved.deciding(.reject, by: "key:x", at: now) }
    }

    @Test func approvingRemovesOnlyHeldRemovalsThatAPlanMadeNowStillWants() {
        let held = SyncID.random(), cameBack = SyncID.random(), new = SyncID.random()
        var now = AutoSyncPlanner.Plan()
        now.removals = [held, new].map { .init(sync: $0, person: person, connection: connection) }
        #expect(AutoSyncRun.approvedRemovals(held: [held, cameBack], now: now).map(\.sync) == [held])
    }

    @Test func aPlansLinesKeepEachKindsOrderAndNameThePeople() {
        var plan = AutoSyncPlanner.Plan()
        let other = PersonID.random()
        plan.starts = [.init(person: person, connection: connection), .init(person: other, connection: connection)]
        plan.skips = [.init(person: other, connection: connection, reason: .noPrimary)]
        plan.notOnAnyPlatform = [.init(externalID: "u-9", email: "nine@x.test", active: true)]
        let items = AutoSyncRun.items(of: plan, expectations: ["link", "guest"], emails: [person: "p@x.test", other: "o@x.test"])
        #expect(items.map(\.kind) == [.start, .start, .skip, .notOnAnyPlatform])
        #expect(items.map(\.detail) == ["link", "guest", "no_primary", nil])
        #expect(items.map(\.email) == ["p@x.test", "o@x.test", "o@x.test", "nine@x.test"])
        #expect(items[3].externalID == "u-9" && items[3].person == nil)
    }
}
