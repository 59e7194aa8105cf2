import Foundation
import UserSyncDomain
import UserSyncUseCases

/// A person's page: their accounts, their primary platform and every sync with its history.
struct PersonPage {
    let id: String
    let name: String
    let email: String
    let primary: String
    let primarySource: String?
    /// The Auto Sync policies whose group holds the person, and which one governs the primary.
    let autoSync: [String]
    let accounts: [Account]
    let syncs: [SyncView]
    let notSynced: [Target]
    let menu: [PeoplePage.MenuItem]
    let nextPrompt: String?
    let canWrite: Bool

    struct Account {
        let platform: String
        let connection: String
        let userID: String
        let email: String
        let name: String
        let active: Bool
        let status: String
        let guest: Bool
    }

    struct SyncView {
        let id: String
        let connection: String
        let state: String
        let label: String
        let mode: String?
        let message: String?
        let fix: String?
        let nextRetry: String?
        let retryAction: String?
        let history: [Event]
    }

    struct Event {
        let at: String
        let change: String
        let cause: String?
        let message: String
        let actor: String
        let fix: String?
    }

    struct Target {
        let connection: String
        let href: String
    }

    init(
        _ person: Person, connections: [PlatformConnection], actorNames: [String: String], policies: [AutoSyncPolicy] = [], base: String,
        canWrite: Bool, prompts: PromptThrottle
    ) {
        let named = Dictionary(connections.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        let href = "\(base)/people/\(person.id)"
        id = person.id.description
        name = person.displayName ?? person.email
        email = person.email
        primary =
            person.primaryConnectionID.flatMap { named[$0] }
            ?? (person.needsPrimaryChoice ? "Not chosen yet: the person is on several platforms" : "None")
        primarySource = person.primarySource.map {
            switch $0 {
            case .default: "The only platform the person is on."
            case .admin, .autoSync:
                "\($0 == .admin ? "Chosen" : "Set") by \(Self.actor(person.primaryChosenBy ?? "", names: actorNames))"
                    + (person.primaryChosenAt.map { " on \(ConsoleFormat.dateTime($0))" } ?? "")
                    + ($0 == .admin ? "." : ". An admin's choice would replace it.")
            }
        }
        autoSync = Self.autoSync(person, policies: policies, named: named)
        accounts = person.accounts.map { account in
            Account(
                platform: account.platform.displayName, connection: named[account.connectionID] ?? account.connectionID.description,
                userID: account.platformUserID, email: account.emails.joined(separator: ", "),
                name: [account.displayName, account.realName].compactMap { $0 }.first ?? "", active: account.isActive,
                status: account.isActive
                    ? "Active" : "Inactive (\(account.deactivationReason?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "deactivated"))",
                guest: account.isGuest)
        }
        syncs = person.syncs.map { sync in
            SyncView(
                id: sync.id.description, connection: named[sync.connectionID] ?? sync.platform.displayName, state: sync.status.rawValue,
                label: PeoplePage.statusLabel(sync.status),
                mode: sync.mode.map { mode in
                    switch (mode, sync.virtualKind) {
                    case (.link, _): "Their own account (link)"
                    case (.virtual, .guest?): "Guest account"
                    case (.virtual, .botPersona?): "Bot persona"
                    case (.virtual, nil): "Stand-in"
                    }
                },
                message: sync.message, fix: sync.fixAction, nextRetry: sync.nextRetryAt.map(ConsoleFormat.dateTime),
                retryAction: sync.status == .failed ? "\(base)/syncs/\(sync.id)/retry" : nil,
                history: sync.history.reversed().map { event in
                    Event(
                        at: ConsoleFormat.dateTime(event.createdAt),
                        change: (event.fromStatus.map { PeoplePage.statusLabel($0) + " → " } ?? "") + PeoplePage.statusLabel(event.toStatus),
                        cause: event.cause?.rawValue, message: event.message,
                        actor: Self.actor(event.actorID.map { "\(event.actorKind):\($0)" } ?? event.actorKind, names: actorNames),
                        fix: event.fixAction)
                })
        }
        let synced = Set(person.syncs.map(\.connectionID))
        notSynced =
            person.primaryConnectionID == nil
            ? []
            : connections.filter {
                $0.health == .connected && $0.id != person.primaryConnectionID && !synced.contains($0.id)
            }.map { Target(connection: $0.displayName, href: "\(href)/sync/\($0.id)?back=\(FormEncodingForConsole.escape(href))") }
        let waiting = person.syncs.contains(where: PersonActions.waitsForPerson)
        let back = "back=\(FormEncodingForConsole.escape(href))"
        menu =
            [PeoplePage.MenuItem(label: "Reset user", href: "\(href)/actions/reset?\(back)", danger: false)]
            + (waiting ? [PeoplePage.MenuItem(label: "Reprompt user", href: "\(href)/actions/reprompt?\(back)", danger: false)] : [])
            + [PeoplePage.MenuItem(label: "Remove user", href: "\(href)/actions/remove?\(back)", danger: true)]
        nextPrompt =
            waiting
            ? prompts.nextAllowed(for: person).map { "Next prompt allowed \(ConsoleFormat.dateTime($0))" } : nil
        self.canWrite = canWrite
    }

    /// Each policy holding the person, in the order they apply (AutoSyncPlanner's rule: the
    /// enabled policy with the lowest priority number sets the primary, unless an admin chose one
    /// and the policy does not override that; every enabled policy syncs onto its secondaries).
    static func autoSync(_ person: Person, policies: [AutoSyncPolicy], named: [ConnectionID: String]) -> [String] {
        let governing = policies.first { $0.settings.enabled }
        return policies.map { policy in
            let s = policy.settings
            let onto = s.secondaryConnectionIDs.map { named[$0] ?? "a disconnected connection" }.joined(separator: ", ")
            guard s.enabled else { return "“\(s.name)” (priority \(s.priority)) is switched off." }
            let primary: String
            if policy.id != governing?.id {
                primary = "“\(governing?.settings.name ?? "")” has a lower priority number and sets the primary."
            } else if person.primarySource == .admin && person.primaryConnectionID != s.primaryConnectionID && !s.overridesAdminPrimary {
                primary = "It would set \(named[s.primaryConnectionID] ?? "its primary"), but an admin's choice wins over this policy."
            } else {
                primary = "It sets the primary: \(named[s.primaryConnectionID] ?? "a disconnected connection")."
            }
            return "“\(s.name)” (priority \(s.priority)) syncs onto \(onto). \(primary)"
        }
    }

    /// Who did it, in words: `key:<id>`, `member:<id>`, `admin:<id>`, `system`, …
    static func actor(_ label: String, names: [String: String]) -> String {
        let parts = label.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            return switch label {
            case "system": "UserSync"
            case "operator": "the operator"
            case "auto_sync": "Auto Sync"
            case "user": "the person"
            default: label
            }
        }
        if parts[0] == "user" { return "the person" }
        return names[parts[1]] ?? "\(parts[0] == "auto_sync" ? "Auto Sync policy" : parts[0]) \(parts[1].prefix(8))"
    }
}
