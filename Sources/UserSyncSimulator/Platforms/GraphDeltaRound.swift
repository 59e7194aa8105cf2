/// What one round of a Graph group delta query reports, before it is cut into pages: the
/// groups in filter order, each with its `members@delta` entries in account order. Computed the
/// same way for every page of the round, from the membership log, so pages agree with each other
/// whatever changes while they are fetched.
struct GraphDeltaRound: Sendable {
    struct Entry: Sendable, Equatable {
        var account: Int
        /// The `@removed.reason` of a removal; nil for a member (added).
        var removal: String?
    }

    struct Group: Sendable {
        var team: Int
        var entries: [Entry]
    }

    var groups: [Group]

    /// The initial round: every member of each group as of log position `position`.
    static func initial(teams: [Int], directory: SimPlatformDirectory, log: SimMembershipLog, at position: Int) -> Self {
        // Each group's membership before the first later change of each account (undone backwards).
        var before: [Int: [Int: Bool]] = [:]
        let wanted = Set(teams)
        for change in log.changes[position...] where wanted.contains(change.team) && before[change.team]?[change.account] == nil {
            before[change.team, default: [:]][change.account] = !change.added
        }
        return Self(
            groups: teams.map { team in
                let current = directory.teams[team].members.filter { !directory.accounts[$0].removed }
                guard let undone = before[team] else { return Group(team: team, entries: current.map { Entry(account: $0) }) }
                let present = Set(current)
                let restored = undone.filter { $0.value && !present.contains($0.key) }.map(\.key)
                let members = (current.filter { undone[$0] ?? true } + restored).sorted()
                return Group(team: team, entries: members.map { Entry(account: $0) })
            })
    }

    /// A round from a delta link: the net change of each membership between log positions
    /// `since` and `upTo`; groups with no net change are left out.
    static func changes(teams: [Int], log: SimMembershipLog, since: Int, upTo: Int) -> Self {
        struct Key: Hashable {
            var team: Int
            var account: Int
        }
        var first: [Key: SimMembershipLog.Change] = [:]
        var last: [Key: SimMembershipLog.Change] = [:]
        let wanted = Set(teams)
        for change in log.changes[since..<upTo] where wanted.contains(change.team) {
            let key = Key(team: change.team, account: change.account)
            if first[key] == nil { first[key] = change }
            last[key] = change
        }
        var entries: [Int: [Entry]] = [:]
        for (key, latest) in last {
            // Only real changes are logged, so the first change says what the membership was.
            let wasMember = first[key]?.added == false
            guard wasMember != latest.added else { continue }
            entries[key.team, default: []].append(Entry(account: key.account, removal: latest.added ? nil : latest.reason))
        }
        return Self(
            groups: teams.compactMap { team in
                entries[team].map { Group(team: team, entries: $0.sorted { $0.account < $1.account }) }
            })
    }

    /// Page `page` of the round: at most `size` member entries, a group repeating on several pages
    /// with its entries split between them. A group without entries (or every group, when
    /// members are not selected) takes one place. Also says whether it is the last page.
    func page(_ page: Int, size: Int, members: Bool) -> (groups: [Group], isLast: Bool) {
        let start = page * size
        let end = start + size
        var offset = 0
        var slices: [Group] = []
        for group in groups {
            let places = members ? max(1, group.entries.count) : 1
            defer { offset += places }
            guard offset + places > start, offset < end else { continue }
            guard members, !group.entries.isEmpty else {
                slices.append(Group(team: group.team, entries: []))
                continue
            }
            let from = max(start, offset) - offset
            let to = min(end, offset + places) - offset
            slices.append(Group(team: group.team, entries: Array(group.entries[from..<to])))
        }
        return (slices, end >= offset)
    }
}
