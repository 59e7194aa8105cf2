import Foundation

/// An administrator of a simulated organization on one platform: who to sign in as to try what
/// only admins may do.
public struct SimAdmin: Sendable, Codable, Equatable {
    /// The platform user id.
    public var id: String
    public var email: String
    public var displayName: String
    /// `primary_owner`, `owner` or `admin` on Slack; `global_administrator` or
    /// `teams_administrator` on Teams.
    public var role: String
}

extension SimAdmin {
    /// The admins of a directory in directory order; nil for accounts that are none.
    init?(slack account: SimAccount) {
        guard !account.removed, account.isAdmin || account.isOwner || account.isPrimaryOwner else { return nil }
        let role = account.isPrimaryOwner ? "primary_owner" : account.isOwner ? "owner" : "admin"
        self.init(account, role: role)
    }

    init?(teams account: SimAccount) {
        guard !account.removed, let role = account.directoryRoles.lazy.compactMap(SimDirectoryRole.named).first else { return nil }
        self.init(account, role: role.summaryRole)
    }

    private init(_ account: SimAccount, role: String) {
        self.init(
            id: account.id, email: account.primaryEmail?.trimmingCharacters(in: .whitespaces) ?? "", displayName: account.displayName,
            role: role)
    }
}

extension SimOrganization {
    /// Admins per platform raw value (`slack`, `teams`), in directory order.
    var admins: [String: [SimAdmin]] {
        [
            "slack": directory(.slack).accounts.compactMap(SimAdmin.init(slack:)),
            "teams": directory(.teams).accounts.compactMap(SimAdmin.init(teams:)),
        ]
    }
}
