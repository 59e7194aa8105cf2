import Testing
import UserSyncDomain

/// The sync rule: who may be synced onto a secondary platform, and how (DESIGN.md §1's table).
@Suite struct SyncPreviewTests {
    func expect(primary: Platform? = .slack, existing: SyncStatus? = nil, account: SyncPlan.Account, onto secondary: Platform)
        -> SyncPreview.Expectation
    {
        SyncPreview.expect(.init(personExists: true, primary: primary, existing: existing, account: account), secondary: secondary)
    }

    @Test(arguments: Platform.allCases.filter { $0 != .slack })
    func anAccountThereMeansALinkPromptedOnThePrimary(_ secondary: Platform) {
        let expectation = expect(account: .active, onto: secondary)
        #expect(expectation == .link(primary: .slack))
        #expect(expectation.creates && expectation.canWork && expectation.mode == .link)
        #expect(expectation.message(name: "Ada", secondary: secondary).contains("message from the UserSync bot on Slack"))
    }

    @Test func noAccountThereMeansAStandInWhereThePlatformHasOne() {
        #expect(expect(account: .none, onto: .teams) == .virtual(.guest))
        #expect(expect(account: .none, onto: .webex) == .virtual(.botPersona))
        #expect(expect(primary: .teams, account: .none, onto: .slack) == .virtual(.botPersona))
        #expect(expect(account: .none, onto: .teams).message(name: "Ada", secondary: .teams).contains("guest account will be invited"))
    }

    @Test func zoomWithoutAnAccountOrAnyDeactivatedAccountCannotWork() {
        let zoom = expect(account: .none, onto: .zoom)
        #expect(zoom.code == "secondary_account_required")
        #expect(zoom.creates && !zoom.canWork)
        #expect(zoom.message(name: "Ada", secondary: .zoom).contains("Zoom account of their own"))
        #expect(expect(account: .deactivated, onto: .teams).code == "secondary_account_deactivated")
    }

    @Test func whatIsNeverCreated() {
        #expect(expect(existing: .pending, account: .active, onto: .teams) == .exists(.pending))
        #expect(expect(primary: nil, account: .active, onto: .teams) == .noPrimary)
        #expect(expect(primary: .teams, account: .active, onto: .teams) == .secondaryIsPrimary)
        #expect(SyncPreview.expect(.unknown, secondary: .teams) == .unknownPerson)
        for expectation in [SyncPreview.Expectation.exists(.synced), .noPrimary, .secondaryIsPrimary, .unknownPerson] {
            #expect(!expectation.creates && !expectation.canWork && expectation.mode == nil)
        }
    }

    @Test func anExistingSyncWinsOverEverythingButAMissingPerson() {
        #expect(expect(primary: nil, existing: .failed, account: .none, onto: .zoom) == .exists(.failed))
    }
}
