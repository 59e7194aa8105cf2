import Testing
import UserSyncDomain

@Suite struct SyncCauseTests {
    @Test(arguments: PlatformFailure.Cause.allCases)
    func aPlatformFailureKeepsItsCode(cause: PlatformFailure.Cause) {
        #expect(SyncCause(cause).rawValue == cause.rawValue)
    }

    @Test func codesAreUnique() {
        #expect(Set(SyncCause.allCases.map(\.rawValue)).count == SyncCause.allCases.count)
    }

    @Test func onlyWhatThePersonRefusedIsFixedByANewLink() {
        #expect(SyncCause.allCases.filter(\.isPersonRefusal) == [.userDeclined, .userAuthorizationRejected])
    }

    @Test func whatTheConnectionFixesIsWhatItsAdminFixes() {
        #expect(Set(SyncCause.fixedWithTheConnection) == [.credentialsRejected, .permissionMissing, .destinationRefused])
    }
}
