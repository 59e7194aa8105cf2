import Testing
import UserSyncDomain

@Suite struct PrimaryResolutionTests {
    let a = ConnectionID.random(), b = ConnectionID.random()

    @Test func onePlatformIsTheDefault() {
        #expect(PrimaryResolution.resolve(current: nil, currentSource: nil, activeConnections: [a])
            == PrimaryResolution(primary: a, source: .default, needsChoice: false))
    }

    @Test func severalPlatformsNeedAChoiceUnlessTheAdminsStillHolds() {
        #expect(PrimaryResolution.resolve(current: nil, currentSource: nil, activeConnections: [a, b]).needsChoice)
        #expect(PrimaryResolution.resolve(current: a, currentSource: .default, activeConnections: [a, b])
            == PrimaryResolution(primary: nil, source: nil, needsChoice: true))
        #expect(PrimaryResolution.resolve(current: b, currentSource: .admin, activeConnections: [a, b])
            == PrimaryResolution(primary: b, source: .admin, needsChoice: false))
    }

    @Test func anAdminChoiceThatLostItsAccountGivesWay() {
        #expect(PrimaryResolution.resolve(current: b, currentSource: .admin, activeConnections: [a])
            == PrimaryResolution(primary: a, source: .default, needsChoice: false))
        #expect(PrimaryResolution.resolve(current: b, currentSource: .admin, activeConnections: [a, ConnectionID.random()]).needsChoice)
    }

    @Test func nobodyActiveKeepsOnlyAnAdminsChoice() {
        #expect(PrimaryResolution.resolve(current: a, currentSource: .admin, activeConnections: []).primary == a)
        #expect(PrimaryResolution.resolve(current: a, currentSource: .default, activeConnections: [])
            == PrimaryResolution(primary: nil, source: nil, needsChoice: false))
    }

    @Test func emailsAreTrimmedAndLowerCased() {
        #expect(EmailAddress.normalize(" Ada@Example.COM ") == "ada@example.com")
        #expect(EmailAddress.normalize("  ") == nil)
        #expect(EmailAddress.normalize(nil) == nil)
    }
}
