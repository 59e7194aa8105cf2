import UserSyncDomain

extension Seeder {
    /// Makes the first eligible people of the organization its administrators, by position and
    /// after everything else is seeded: drawing from the seeded generator here would change every
    /// id and address seeded after it.
    static func assignAdmins(_ directories: inout [Platform: SimPlatformDirectory]) {
        let owners = eligible(directories[.slack], count: 3)
        for (rank, index) in owners.enumerated() {
            directories[.slack]?.accounts[index].isAdmin = true
            directories[.slack]?.accounts[index].isOwner = rank == 0
            directories[.slack]?.accounts[index].isPrimaryOwner = rank == 0
        }
        let roles = [SimDirectoryRole.globalAdministrator, .teamsAdministrator]
        for (role, index) in zip(roles, eligible(directories[.teams], count: roles.count)) {
            directories[.teams]?.accounts[index].directoryRoles = [role.templateID]
        }
    }

    /// The first `count` people who have joined and can sign in: no bots, guests, Slackbot or
    /// invitations never accepted.
    private static func eligible(_ directory: SimPlatformDirectory?, count: Int) -> [Int] {
        guard let accounts = directory?.accounts else { return [] }
        return Array(
            accounts.indices.lazy.filter { index in
                let account = accounts[index]
                return account.active && !account.pending && !account.bot && !account.guest && account.id != "USLACKBOT"
                    && account.primaryEmail != nil
            }.prefix(count))
    }
}
