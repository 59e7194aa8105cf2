import Foundation
import Testing
import UserSyncDomain

/// Who may sign in to an organization's console, and with which role.
@Suite struct ConsoleAdmissionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let identity = SignInIdentity(provider: .slack, tenant: "T1", subject: "U1", email: "Ada@Example.com", displayName: "Ada")
    let organization = OrganizationID.random()

    func invitation(
        role: APIKeyRole = .viewer, email: String? = nil, expiresIn: TimeInterval = 3600, accepted: Bool = false,
        revoked: Bool = false
    ) -> ConsoleInvitation {
        ConsoleInvitation(
            id: .random(), organizationID: organization, role: role, email: email, createdBy: "operator", createdAt: now,
            expiresAt: now.addingTimeInterval(expiresIn), acceptedAt: accepted ? now : nil, acceptedMemberID: nil, revokedAt: revoked ? now : nil)
    }

    func member(role: APIKeyRole = .admin, revoked: Bool = false) -> ConsoleMember {
        ConsoleMember(
            id: .random(), organizationID: organization, role: role, identity: identity, source: .platformAdmin, createdBy: "sign_in",
            createdAt: now, lastSignedInAt: nil, revokedAt: revoked ? now : nil)
    }

    @Test func anInvitationAdmitsWithItsRoleAndBringsARevokedMemberBack() {
        #expect(ConsoleAdmission.decide(identity: identity, member: nil, invitation: invitation(), now: now) == .admit(.viewer, via: .invitation))
        #expect(
            ConsoleAdmission.decide(identity: identity, member: member(revoked: true), invitation: invitation(role: .admin), now: now)
                == .admit(.admin, via: .invitation))
    }

    @Test func anUnusableInvitationSaysWhy() {
        #expect(
            ConsoleAdmission.decide(identity: identity, member: nil, invitation: invitation(accepted: true), now: now) == .refuse(.invitationUsed))
        #expect(
            ConsoleAdmission.decide(identity: identity, member: nil, invitation: invitation(revoked: true), now: now) == .refuse(.invitationRevoked))
        #expect(
            ConsoleAdmission.decide(identity: identity, member: nil, invitation: invitation(expiresIn: 0), now: now) == .refuse(.invitationExpired))
    }

    @Test func anInvitationForAnAddressComparesNormalizedAddresses() {
        #expect(
            ConsoleAdmission.decide(identity: identity, member: nil, invitation: invitation(email: "ada@example.com"), now: now)
                == .admit(.viewer, via: .invitation))
        #expect(
            ConsoleAdmission.decide(identity: identity, member: nil, invitation: invitation(email: "bob@example.com"), now: now)
                == .refuse(.invitationForAnotherAddress))
        var nameless = identity
        nameless.email = nil
        #expect(
            ConsoleAdmission.decide(identity: nameless, member: nil, invitation: invitation(email: "ada@example.com"), now: now)
                == .refuse(.invitationForAnotherAddress))
    }

    @Test func aMemberKeepsTheirRoleAndARevokedOneStaysOutEvenAsAPlatformAdmin() {
        #expect(ConsoleAdmission.decide(identity: identity, member: member(role: .viewer), invitation: nil, now: now) == .admit(.viewer, via: nil))
        #expect(ConsoleAdmission.decide(identity: identity, member: member(revoked: true), invitation: nil, now: now) == .refuse(.memberRevoked))
    }

    @Test func onlyThePlatformCanAdmitSomeoneElse() {
        #expect(ConsoleAdmission.decide(identity: identity, member: nil, invitation: nil, now: now) == .askPlatform)
        #expect(ConsoleAdmission.decide(platform: .admin) == .admit(.admin, via: .platformAdmin))
        #expect(ConsoleAdmission.decide(platform: .notAdmin) == .refuse(.notAnAdmin))
        #expect(ConsoleAdmission.decide(platform: .notConnected) == .refuse(.workspaceNotConnected))
        #expect(ConsoleAdmission.decide(platform: .unavailable) == .refuse(.adminCheckFailed))
    }

    @Test func everyRefusalTellsThePersonWhatToDo() {
        for refusal in ConsoleAdmission.Refusal.allCases {
            let message = refusal.message(provider: .microsoft, organization: "Acme")
            #expect(!message.isEmpty && (message.contains("Acme") || message.contains("Microsoft")), "\(refusal)")
        }
    }
}
