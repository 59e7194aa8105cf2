import Foundation
import Testing
import UserSyncDomain

@Suite struct PromptThrottleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func person(promptedAt: Date?) -> Person {
        Person(
            id: .random(), organizationID: .random(), email: "ada@example.com", displayName: nil, primaryConnectionID: nil,
            primarySource: nil, primaryChosenBy: nil, primaryChosenAt: nil, needsPrimaryChoice: false, allAccountsDeactivated: false,
            accounts: [], createdAt: now, updatedAt: now, lastPromptedAt: promptedAt)
    }

    @Test func aPersonNeverPromptedMayBePromptedNow() {
        #expect(PromptThrottle(interval: 3_600, now: now).nextAllowed(for: person(promptedAt: nil)) == nil)
    }

    @Test func aRecentPromptHoldsTheNextOneAnIntervalAfterIt() {
        let throttle = PromptThrottle(interval: 3_600, now: now)
        #expect(throttle.nextAllowed(for: person(promptedAt: now.addingTimeInterval(-600))) == now.addingTimeInterval(3_000))
        #expect(throttle.nextAllowed(for: person(promptedAt: now.addingTimeInterval(-3_600))) == nil, "exactly an interval ago: now")
        #expect(throttle.nextAllowed(for: person(promptedAt: now.addingTimeInterval(-7_200))) == nil)
    }
}
