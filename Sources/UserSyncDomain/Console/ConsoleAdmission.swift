import Foundation

/// Who may sign in to an organization's console, and with which role.
///
/// In order: an invitation link admits its first user with its role (and brings back a revoked
/// member: inviting again is an admin's explicit choice); otherwise a member signs in with their
/// role, and a revoked member stays out even if they are still a platform admin; otherwise an
/// admin or owner of a workspace or tenant the organization has connected comes in as an admin.
public enum ConsoleAdmission {
    public enum Verdict: Sendable, Equatable {
        case admit(APIKeyRole, via: ConsoleMember.Source?)
        case refuse(Refusal)
        /// Only the platform can tell: ask it whether the account is an admin there.
        case askPlatform
    }

    public enum Refusal: String, Sendable, Equatable, CaseIterable {
        case invitationUsed = "invitation_used"
        case invitationExpired = "invitation_expired"
        case invitationRevoked = "invitation_revoked"
        case invitationForAnotherAddress = "invitation_for_another_address"
        case memberRevoked = "member_revoked"
        case notAnAdmin = "not_an_admin"
        case workspaceNotConnected = "workspace_not_connected"
        case adminCheckFailed = "admin_check_failed"

        /// What the person signing in reads.
        public func message(provider: IdentityProvider, organization: String) -> String {
            switch self {
            case .invitationUsed: "This invitation link has been used already. Ask an admin of \(organization) for a new one."
            case .invitationExpired: "This invitation link has expired. Ask an admin of \(organization) for a new one."
            case .invitationRevoked: "This invitation link was withdrawn. Ask an admin of \(organization) for a new one."
            case .invitationForAnotherAddress:
                "This invitation is for another address. Sign in with the \(provider.displayName) account it was sent to."
            case .memberRevoked: "Your access to \(organization) was revoked. Ask one of its admins to invite you again."
            case .notAnAdmin:
                "Your \(provider.displayName) account is not an admin or owner of a workspace \(organization) has connected. "
                    + "Ask an admin of \(organization) for an invitation."
            case .workspaceNotConnected:
                "\(organization) has not connected your \(provider.displayName) workspace or tenant, so your admin rights there "
                    + "cannot admit you. Ask an admin of \(organization) for an invitation, or sign in with an API key."
            case .adminCheckFailed:
                "\(provider.platform.displayName) could not confirm that you are an admin there right now. Try again in a moment."
            }
        }
    }

    /// What the service knows without asking the platform.
    public static func decide(
        identity: SignInIdentity, member: ConsoleMember?, invitation: ConsoleInvitation?, now: Date
    ) -> Verdict {
        if let invitation {
            if let refusal = invitation.unusable(at: now) { return .refuse(refusal) }
            if let wanted = invitation.email, EmailAddress.normalize(identity.email) != wanted {
                return .refuse(.invitationForAnotherAddress)
            }
            return .admit(invitation.role, via: .invitation)
        }
        if let member {
            return member.isRevoked ? .refuse(.memberRevoked) : .admit(member.role, via: nil)
        }
        return .askPlatform
    }

    /// The platform's answer about an account with no member record.
    public enum PlatformAnswer: Sendable, Equatable {
        case admin
        case notAdmin
        /// No connected connection of the organization is that workspace or tenant.
        case notConnected
        case unavailable
    }

    public static func decide(platform answer: PlatformAnswer) -> Verdict {
        switch answer {
        case .admin: .admit(.admin, via: .platformAdmin)
        case .notAdmin: .refuse(.notAnAdmin)
        case .notConnected: .refuse(.workspaceNotConnected)
        case .unavailable: .refuse(.adminCheckFailed)
        }
    }
}
