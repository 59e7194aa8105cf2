import UserSyncDomain

/// One platform user in a simulated organization.
struct SimAccount: Sendable {
    var id: String
    /// Addresses as this platform spells them (case and spacing may differ across platforms).
    var emails: [String]
    /// Graph only: `mail` is null and the address is only the UPN.
    var mailIsNull = false
    var firstName: String
    var lastName: String
    var displayName: String
    var active = true
    /// Invited but never joined (Zoom `pending`, Slack `is_invited_user`, Webex `invitePending`).
    var pending = false
    var bot = false
    var guest = false
    /// Deleted upstream: no longer listed or reachable.
    var removed = false
    var teams: [Int] = []

    var primaryEmail: String? { emails.first }
}

struct SimTeam: Sendable {
    var id: String
    var name: String
    var description: String
    /// Indices into the directory's accounts.
    var members: [Int]
}

/// Everything one platform knows of one organization.
struct SimPlatformDirectory: Sendable {
    var accounts: [SimAccount] = []
    var accountIndex: [String: Int] = [:]
    var teams: [SimTeam] = []
    var teamIndex: [String: Int] = [:]

    mutating func append(_ account: SimAccount) {
        accountIndex[account.id] = accounts.count
        accounts.append(account)
    }

    func account(_ id: String) -> SimAccount? {
        accountIndex[id].map { accounts[$0] }.flatMap { $0.removed ? nil : $0 }
    }

    /// Finds a listed account by id or by any of its addresses (case and spacing ignored).
    func find(login: String) -> Int? {
        if let index = accountIndex[login], !accounts[index].removed { return index }
        let wanted = normalize(login)
        return accounts.firstIndex { !$0.removed && $0.emails.contains { normalize($0) == wanted } }
    }

    /// Up to `limit` listed accounts from `offset` on that pass `include`, and where to resume.
    func page(from offset: Int, limit: Int, where include: (SimAccount) -> Bool = { _ in true }) -> (items: [SimAccount], next: Int?) {
        var items: [SimAccount] = []
        var position = offset
        while position < accounts.count, items.count < limit {
            let account = accounts[position]
            if !account.removed && include(account) { items.append(account) }
            position += 1
        }
        return (items, position < accounts.count ? position : nil)
    }

    var counts: SimCounts {
        var counts = SimCounts()
        for account in accounts where !account.removed {
            counts.listed += 1
            if account.bot { counts.bots += 1 }
            if !account.active || account.pending { counts.deactivated += 1 }
            if account.guest { counts.guests += 1 }
        }
        counts.teams = teams.count
        return counts
    }
}

public struct SimCounts: Sendable, Codable, Equatable {
    public var listed = 0
    public var bots = 0
    public var deactivated = 0
    public var guests = 0
    public var teams = 0
}

func normalize(_ email: String) -> String { email.trimmingCharacters(in: .whitespaces).lowercased() }

import Foundation
