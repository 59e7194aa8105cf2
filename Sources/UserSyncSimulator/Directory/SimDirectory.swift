import Foundation
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
    /// Slack: workspace roles, as `users.list` and `users.info` show them. Owners are always admins.
    var isAdmin = false
    var isOwner = false
    var isPrimaryOwner = false
    /// Entra: the directory roles the account holds, by role template id.
    var directoryRoles: [String] = []

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
    /// Every address (normalized) of every account, to the account: sign-ins and invitations look
    /// people up by address, in organizations of 100,000.
    var emailIndex: [String: [Int]] = [:]
    var teams: [SimTeam] = []
    var teamIndex: [String: Int] = [:]

    mutating func append(_ account: SimAccount) {
        accountIndex[account.id] = accounts.count
        for email in account.emails { emailIndex[normalize(email), default: []].append(accounts.count) }
        accounts.append(account)
    }

    /// Replaces an account's addresses, keeping the address index right.
    mutating func setEmails(_ emails: [String], of index: Int) {
        for email in accounts[index].emails { emailIndex[normalize(email)]?.removeAll { $0 == index } }
        accounts[index].emails = emails
        for email in emails { emailIndex[normalize(email), default: []].append(index) }
    }

    func account(_ id: String) -> SimAccount? {
        accountIndex[id].map { accounts[$0] }.flatMap { $0.removed ? nil : $0 }
    }

    /// Finds a listed account by id or by any of its addresses (case and spacing ignored).
    func find(login: String) -> Int? {
        if let index = accountIndex[login], !accounts[index].removed { return index }
        return emailIndex[normalize(login)]?.first { !accounts[$0].removed }
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

/// Trimmed of spaces and lower-cased, without Foundation (it runs for every seeded address).
func normalize(_ email: String) -> String {
    let scalars = email.unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " }), let last = scalars.lastIndex(where: { $0 != " " }) else { return "" }
    return String(scalars[first...last]).lowercased()
}
