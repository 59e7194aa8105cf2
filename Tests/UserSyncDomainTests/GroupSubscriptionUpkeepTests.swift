import Foundation
import Testing
import UserSyncDomain

@Suite struct GroupSubscriptionUpkeepTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func held(_ group: String, _ id: String, inDays days: Double, reauthorize: Bool = false) -> GroupSubscriptionUpkeep.Held {
        .init(groupID: group, subscriptionID: id, expiresAt: now.addingTimeInterval(days * 86_400), reauthorize: reauthorize)
    }

    @Test func everyFollowedGroupGetsOneSubscriptionAndNoOtherKeepsOne() {
        let actions = GroupSubscriptionUpkeep.actions(
            following: ["b", "a"], held: [held("a", "s-a", inDays: 2.5), held("gone", "s-gone", inDays: 2.5)], now: now)
        #expect(actions == [.subscribe(group: "b"), .unsubscribe(subscription: "s-gone")])
    }

    @Test func aSubscriptionIsRenewedWhenLessThanTheMarginIsLeftOrGraphAsksForReauthorization() {
        let actions = GroupSubscriptionUpkeep.actions(
            following: ["a", "b", "c"],
            held: [held("a", "s-a", inDays: 1.9), held("b", "s-b", inDays: 2.9, reauthorize: true), held("c", "s-c", inDays: 2.1)],
            now: now)
        #expect(actions == [.renew(subscription: "s-a", group: "a"), .renew(subscription: "s-b", group: "b")])
    }

    @Test func aLapsedSubscriptionIsMadeAgain() {
        let actions = GroupSubscriptionUpkeep.actions(following: ["a"], held: [held("a", "s-a", inDays: -0.1)], now: now)
        #expect(actions == [.subscribe(group: "a")])
    }

    @Test func nothingFollowedAndNothingHeldIsNothingToDo() {
        #expect(GroupSubscriptionUpkeep.actions(following: [], held: [], now: now).isEmpty)
    }
}
