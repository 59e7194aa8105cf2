import Testing
import UserSyncDomain

@Suite struct PrimaryResolutionTests {
    let a = ConnectionID.random(), b = ConnectionID.random()

    @Test func onePlatformIsTheDefault() {
        #expect(
            PrimaryResolution.resolve(current: nil, currentSource: nil, activeConnections: [a])
                == PrimaryResolution(primary: a, source: .default, needsChoice: false))
    }

    @Test func severalPlatformsNeedAChoiceUnlessTheAdminsStillHolds() {
        #expect(PrimaryResolution.resolve(current: nil, currentSource: nil, activeConnections: [a, b]).needsChoice)
        #expect(
            PrimaryResolution.resolve(current: a, currentSource: .default, activeConnections: [a, b])
                == PrimaryResolution(primary: nil, source: nil, needsChoice: true))
        #expect(
            PrimaryResolution.resolve(current: b, currentSource: .admin, activeConnections: [a, b])
                == PrimaryResolution(primary: b, source: .admin, needsChoice: false))
    }

    @Test func anAdminChoiceThatLostItsAccountGivesWay() {
        #expect(
            PrimaryResolution.resolve(current: b, currentSource: .admin, activeConnections: [a])
                == PrimaryResolution(primary: a, source: .default, needsChoice: false))
        #expect(PrimaryResolution.resolve(current: b, currentSource: .admin, activeConnections: [a, ConnectionID.random()]).needsChoice)
    }

    @Test func nobodyActiveKeepsOnlyAnAdminsChoice() {
        #expect(PrimaryResolution.resolve(current: a, currentSource: .admin, activeConnections: []).primary == a)
        #expect(
            PrimaryResolution.resolve(current: a, currentSource: .default, activeConnections: [])
                == PrimaryResolution(primary: nil, source: nil, needsChoice: false))
    }

    @Test func aPolicysPrimaryStandsLikeAnAdminsWhileTheAccountIsActive() {
        #expect(
            PrimaryResolution.resolve(current: b, currentSource: .autoSync, activeConnections: [a, b])
                == PrimaryResolution(primary: b, source: .autoSync, needsChoice: false))
        #expect(
            PrimaryResolution.resolve(current: b, currentSource: .autoSync, activeConnections: [a])
                == PrimaryResolution(primary: a, source: .default, needsChoice: false))
    }

    @Test func emailsAreTrimmedAndLowerCased() {
        #expect(EmailAddress.normalize(" Ada@Example.COM ") == "ada@example.com")
        #expect(EmailAddress.normalize("  ") == nil)
        #expect(EmailAddress.normalize(nil) == nil)
    }
}

@Suite struct SyncPlanTests {
    @Test(arguments: Platform.allCases)
    func anAccountThereIsLinked(platform: Platform) {
        #expect(SyncPlan.decide(secondary: platform, account: .active) == .link)
    }

    @Test(arguments: Platform.allCases)
    func aDeactivatedAccountThereFails(platform: Platform) {
        guard case .impossible(let outcome) = SyncPlan.decide(secondary: platform, account: .deactivated) else {
            Issue.record("expected a failure")
            return
        }
        #expect(outcome.cause == .secondaryAccountDeactivated && outcome.status == .failed && outcome.fixAction != nil)
    }

    @Test func withoutAnAccountTheServiceStandsIn() {
        #expect(SyncPlan.decide(secondary: .teams, account: .none) == .virtual(.guest))
        #expect(SyncPlan.decide(secondary: .slack, account: .none) == .virtual(.botPersona))
        #expect(SyncPlan.decide(secondary: .webex, account: .none) == .virtual(.botPersona))
        #expect(SyncPlan.decide(secondary: .zoom, account: .none) == .impossible(.secondaryAccountRequired))
    }
}
