import UserSyncDomain

/// Entra group membership changed upstream, for tests of Auto Sync: every team is a group with
/// the same id, so `/teams/{id}/members`, `/groups/{id}/members` and `/groups/delta` all see these
/// changes. Users are named by Teams user id or by address.
extension PlatformSimulator {
    /// The ids of the group's current members (deleted users excluded), in directory order; nil
    /// for an unknown organization or group.
    public func groupMembers(organization: String, groupID: String) -> [String]? {
        state.store.withLock { store in
            guard let directory = store.organizations[organization]?.directory(.teams), let team = directory.teamIndex[groupID] else {
                return nil
            }
            return directory.teams[team].members.map { directory.accounts[$0] }.filter { !$0.removed }.map(\.id)
        }
    }

    /// Adds a user to a group, as an admin would in Entra. False when it already was a member (then
    /// nothing is logged for delta queries) or the organization, group or user is unknown.
    @discardableResult
    public func addGroupMember(organization: String, groupID: String, userID: String) -> Bool {
        changeGroupMembership(organization: organization, groupID: groupID, userID: userID, member: true) ?? false
    }

    /// Removes a user from a group. False when it was no member (nothing is logged) or the
    /// organization, group or user is unknown.
    @discardableResult
    public func removeGroupMember(organization: String, groupID: String, userID: String) -> Bool {
        changeGroupMembership(organization: organization, groupID: groupID, userID: userID, member: false) ?? false
    }

    /// Adds many users to a group at once (a large group for a benchmark); unknown users and
    /// members are skipped. Returns how many joined, or nil for an unknown organization or group.
    @discardableResult
    public func addGroupMembers(organization: String, groupID: String, userIDs: [String]) -> Int? {
        let added =
            state.withOrganization(organization) { organization -> Int? in
                guard let (team, accounts) = Self.locate(groupID, userIDs, in: organization) else { return nil }
                return organization.addGroupMembers(team: team, accounts: accounts.compactMap { $0 })
            } ?? nil
        if let added, added > 0 { GraphSimulator.notifyMembershipChanged(state: state, organization: organization, groupID: groupID) }
        return added
    }

    /// A new, empty group (also listed as a team); returns its id, or nil for an unknown
    /// organization.
    @discardableResult
    public func createGroup(organization: String, displayName: String) -> String? {
        state.withOrganization(organization) { $0.createGroup(displayName: displayName) }
    }

    /// Makes every Graph delta and skip token issued so far for the organization stop working:
    /// using one answers 410 Gone (`syncStateNotFound`) with a `Location` to start over.
    @discardableResult
    public func expireDeltaTokens(organization: String) -> Bool {
        state.withOrganization(organization) { $0.membershipLog.expireTokens() } != nil
    }

    /// At most this many `members@delta` entries per page of a group delta round (at least 1);
    /// rounds already under way keep their size.
    public func setGraphDeltaPageSize(_ size: Int) {
        state.store.withLock { $0.graphDeltaPageSize = max(1, size) }
    }

    public var graphDeltaPageSize: Int { state.store.withLock { $0.graphDeltaPageSize } }

    /// Whether the membership changed; nil when the organization, group or user is unknown.
    func changeGroupMembership(organization: String, groupID: String, userID: String, member: Bool) -> Bool? {
        let changed =
            state.withOrganization(organization) { organization -> Bool? in
                guard let (team, accounts) = Self.locate(groupID, [userID], in: organization), let account = accounts[0] else { return nil }
                return member
                    ? organization.addGroupMembers(team: team, accounts: [account]) == 1
                    : organization.removeGroupMember(team: team, account: account)
            } ?? nil
        if changed == true { GraphSimulator.notifyMembershipChanged(state: state, organization: organization, groupID: groupID) }
        return changed
    }

    // MARK: Change notifications

    /// The organization's Graph subscriptions, by id.
    public func graphSubscriptions(organization: String) -> [SimGraphSubscription] {
        state.store.withLock { $0.graphSubscriptions.values.filter { $0.organization == organization }.sorted { $0.id < $1.id } }
    }

    /// The notifications sent (or tried) for the organization, oldest first, validations included.
    public func graphNotifications(organization: String) -> [SimGraphNotification] {
        state.store.withLock { $0.graphNotifications.filter { $0.organization == organization } }
    }

    /// Graph asks the subscriber to reauthorize: a `reauthorizationRequired` lifecycle
    /// notification goes to the subscription's lifecycle URL (else its notification URL), and no
    /// change notifications are sent until it is renewed or reauthorized. False for an unknown one.
    @discardableResult
    public func requireReauthorization(organization: String, subscriptionID: String) -> Bool {
        let found = state.store.withLock { store -> (SimGraphSubscription, String)? in
            guard let subscription = store.graphSubscriptions[subscriptionID], subscription.organization == organization else { return nil }
            store.graphSubscriptions[subscriptionID]?.needsReauthorization = true
            return (subscription, store.organizations[organization]?.credentials.teams.tenantID ?? "")
        }
        guard let (subscription, tenant) = found else { return false }
        GraphNotifier(state: state).deliver(
            GraphNotifier.lifecycle("reauthorizationRequired", subscription, tenantID: tenant), kind: .lifecycle,
            to: subscription.lifecycleNotificationURL ?? subscription.notificationURL, subscription: subscription)
        return true
    }

    /// Sends a change notification for the group as if it changed, to every live subscription,
    /// with this client state instead of the subscription's (a forged or stale notification).
    public func sendForgedNotification(organization: String, groupID: String, clientState: String) {
        GraphSimulator.notifyMembershipChanged(state: state, organization: organization, groupID: groupID, clientState: clientState)
    }

    /// The group's and the users' indices (nil for an unknown user); nil for an unknown group.
    /// A function of its own, so no copy of the directory is alive when the caller writes to it.
    private static func locate(_ groupID: String, _ userIDs: [String], in organization: SimOrganization) -> (team: Int, accounts: [Int?])? {
        let directory = organization.directory(.teams)
        guard let team = directory.teamIndex[groupID] else { return nil }
        // A deleted user is found by id too: it can still be taken out of a group it was in.
        return (team, userIDs.map { directory.find(login: $0) ?? directory.accountIndex[$0] })
    }
}
