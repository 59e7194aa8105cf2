/// Entra group membership, kept in one place so `/teams/{id}/members`, `/groups/{id}/members` and
/// the group delta query agree, and every change Graph would show is logged.
///
/// A Teams team's `members` stay in account order (the seeder appends them so, and only this file
/// changes them), so membership is a binary search and a snapshot needs no sort. Reads happen in
/// non-mutating helpers so that no copy of the directory is alive when it is written (which
/// would copy 100,000 accounts per change).
extension SimOrganization {
    /// A membership as Graph shows it: in the group and not deleted.
    func isGroupMember(team: Int, account: Int) -> Bool {
        let directory = directory(.teams)
        return !directory.accounts[account].removed && directory.teams[team].members.sortedIndex(of: account) != nil
    }

    /// Puts accounts into a group, logging each that was not a member; deleted accounts are
    /// skipped. Returns how many joined. Merges, so a group of 100,000 is made in one pass.
    @discardableResult
    mutating func addGroupMembers(team: Int, accounts: [Int]) -> Int {
        let (joining, merged) = merging(accounts, into: team)
        guard !joining.isEmpty else { return 0 }
        directories[.teams]?.teams[team].members = merged
        for account in joining {
            directories[.teams]?.accounts[account].teams.append(team)
            membershipLog.append(.init(team: team, account: account, added: true, reason: "deleted"))
        }
        return joining.count
    }

    /// The accounts that would join (ascending) and the group's members with them.
    private func merging(_ accounts: [Int], into team: Int) -> (joining: [Int], merged: [Int]) {
        let directory = directory(.teams)
        let members = directory.teams[team].members
        let joining = Set(accounts).filter { !directory.accounts[$0].removed && members.sortedIndex(of: $0) == nil }.sorted()
        var merged: [Int] = []
        merged.reserveCapacity(members.count + joining.count)
        var old = 0
        for account in joining {
            while old < members.count, members[old] < account {
                merged.append(members[old])
                old += 1
            }
            merged.append(account)
        }
        merged.append(contentsOf: members[old...])
        return (joining, merged)
    }

    /// A new empty group (a team too, as every team is a group); returns its id.
    mutating func createGroup(displayName: String) -> String {
        let count = directory(.teams).teams.count
        var random = SeededRandom(seed: stableHash("\(name)#group#\(count)#\(displayName)"))
        let id = random.guid()
        directories[.teams]?.teamIndex[id] = count
        directories[.teams]?.teams.append(SimTeam(id: id, name: displayName, description: "The \(displayName) group", members: []))
        return id
    }

    /// Takes an account out of a group; logs it when Graph showed it as a member. False when it
    /// was none.
    @discardableResult
    mutating func removeGroupMember(team: Int, account: Int) -> Bool {
        guard let position = directory(.teams).teams[team].members.sortedIndex(of: account) else { return false }
        let wasMember = isGroupMember(team: team, account: account)
        directories[.teams]?.teams[team].members.remove(at: position)
        directories[.teams]?.accounts[account].teams.removeAll { $0 == team }
        if wasMember { membershipLog.append(.init(team: team, account: account, added: false, reason: "deleted")) }
        return wasMember
    }

    /// Deleting or restoring a Teams user changes the membership of every group it is in.
    mutating func setTeamsAccountRemoved(_ account: Int, removed: Bool) {
        guard let teams = groupsChanging(account, removed: removed) else { return }
        directories[.teams]?.accounts[account].removed = removed
        for team in teams { membershipLog.append(.init(team: team, account: account, added: !removed, reason: "changed")) }
    }

    /// The groups whose membership changes when `account` is deleted or restored; nil when it
    /// already is as asked.
    private func groupsChanging(_ account: Int, removed: Bool) -> [Int]? {
        let directory = directory(.teams)
        guard directory.accounts.indices.contains(account), directory.accounts[account].removed != removed else { return nil }
        return directory.accounts[account].teams.filter { directory.teams[$0].members.sortedIndex(of: account) != nil }
    }
}

extension Array where Element == Int {
    /// Where `value` is in this ascending array, by binary search.
    func sortedIndex(of value: Int) -> Int? {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < endIndex && self[low] == value ? low : nil
    }
}
