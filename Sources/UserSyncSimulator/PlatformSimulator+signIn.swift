import UserSyncDomain

extension PlatformSimulator {
    /// Makes an account an administrator (Slack: the admin flag; Entra: the Global Administrator
    /// role) or makes it none at all (every Slack admin and owner flag, every Entra admin role
    /// cleared). False for an unknown organization or account, or a platform without admins here.
    @discardableResult
    public func setAdmin(organization: String, platform: Platform, id: String, admin: Bool) -> Bool {
        guard platform == .slack || platform == .teams else { return false }
        return state.withOrganization(organization) { organization -> Bool in
            guard let index = organization.directories[platform]?.accountIndex[id],
                organization.directories[platform]?.accounts[index].removed == false
            else { return false }
            switch platform {
            case .slack:
                organization.directories[.slack]?.accounts[index].isAdmin = admin
                if !admin {
                    organization.directories[.slack]?.accounts[index].isOwner = false
                    organization.directories[.slack]?.accounts[index].isPrimaryOwner = false
                }
            default:
                let global = SimDirectoryRole.globalAdministrator.templateID
                var roles = organization.directories[.teams]?.accounts[index].directoryRoles ?? []
                roles = admin ? (roles.contains(global) ? roles : [global] + roles) : []
                organization.directories[.teams]?.accounts[index].directoryRoles = roles
            }
            return true
        } ?? false
    }

    /// Makes the next id_token either OpenID provider issues faulty, once, so relying parties can
    /// be tested for refusing it.
    public func tamperNextIDToken(_ fault: IDTokenFault) {
        state.store.withLock { $0.nextIDTokenFault = fault }
    }
}
