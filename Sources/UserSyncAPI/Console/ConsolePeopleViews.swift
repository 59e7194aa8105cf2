import Foundation
import UserSyncDomain
import UserSyncUseCases

/// The Sync users page.
struct PeoplePage {
    let missing: String?
    let filters: Filters
    let columns: [Column]
    let rows: [Row]
    let none: Bool
    let next: String?
    let first: String?
    let here: String
    let bulkActions: [Option]
    let filterFields: [Confirmation.Hidden]
    let canWrite: Bool
    let refresh: Bool

    struct Option {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Filters {
        let search: String
        let platforms: [Option]
        let primaries: [Option]
        let syncPlatforms: [Option]
        let syncStatuses: [Option]
        let sorts: [Option]
        let active: Bool
    }

    struct Column {
        let name: String
        let platform: String
    }

    struct Row {
        let id: String
        let name: String
        let email: String
        let href: String
        let platforms: String
        let deactivated: Bool
        let primaryChoice: PrimaryChoice?
        let primaryText: String
        let cells: [Cell]
        let menu: [MenuItem]
        let nextPrompt: String?
    }

    struct PrimaryChoice {
        let action: String
        let options: [Option]
        let label: String
    }

    struct Cell {
        let column: String
        /// `synced`, `pending`, `failed`, `not_created`, `primary` or `none` (cannot sync yet).
        let state: String
        /// The status icon; nil for the primary and for people who cannot be synced yet.
        var icon: String? { ["primary", "none"].contains(state) ? nil : state }
        let label: String
        let tooltip: String
        let href: String?
    }

    struct MenuItem {
        let label: String
        let href: String
        let danger: Bool
    }

    init(
        people: [Person], next: PeopleQuery.Position?, query: PeopleListQuery, connections: [PlatformConnection], base: String,
        canWrite: Bool, prompts: PromptThrottle
    ) {
        let overviews = connections.filter { !$0.isDisconnected }
        let connected = Set(overviews.filter { $0.health == .connected }.map(\.platform)).count
        missing =
            switch connected {
            case 0: "No platform is connected yet: connect at least two in the Connect Center, then import their users."
            case 1: "Only one platform is connected: connect a second one in the Connect Center before syncing people onto it."
            default: nil
            }
        let list = "\(base)/people"
        var hereFields = query.fields
        if let cursor = query.cursor { hereFields.append(("cursor", cursor)) }
        here = hereFields.isEmpty ? list : "\(list)?\(ConsoleSignInRoutes.query(hereFields))"
        func options(_ all: [(String, String)], selected: String?) -> [Option] {
            all.map { Option(value: $0.0, label: $0.1, selected: $0.0 == (selected ?? "")) }
        }
        let platformOptions = [("", "Any platform")] + Platform.allCases.map { ($0.rawValue, $0.displayName) }
        filters = Filters(
            search: query.search ?? "",
            platforms: options(platformOptions, selected: query.platform?.rawValue),
            primaries: options(
                [("", "Any primary"), ("choose", "Needs a choice")] + Platform.allCases.map { ($0.rawValue, "Lives on \($0.displayName)") },
                selected: query.primary),
            syncPlatforms: options(
                [("", "Any platform")] + Platform.allCases.map { ($0.rawValue, "on \($0.displayName)") }, selected: query.syncPlatform?.rawValue),
            syncStatuses: options(
                [("", "Any sync status")] + SyncStatus.allCases.map { ($0.rawValue, PeoplePage.statusLabel($0)) },
                selected: query.syncStatus?.rawValue),
            sorts: options([("name", "Name A–Z"), ("-name", "Name Z–A"), ("email", "Email A–Z"), ("-email", "Email Z–A")], selected: query.sort),
            active: !query.fields.isEmpty)
        let secondaries = overviews
        let names = Self.names(secondaries)
        columns = secondaries.map { Column(name: names[$0.id] ?? $0.displayName, platform: $0.platform.displayName) }
        let back = self.here
        rows = people.map { person in
            PeoplePage.row(
                person, secondaries: secondaries, names: names, live: Set(overviews.map(\.id)), base: base, back: back,
                prompts: prompts)
        }
        none = people.isEmpty
        self.next = next.flatMap { position in
            (try? JSONEncoder().encode(position)).map { "\(list)?" + ConsoleSignInRoutes.query(query.fields + [("cursor", $0.base64URL)]) }
        }
        first = query.cursor == nil ? nil : (query.queryString.isEmpty ? list : "\(list)?\(query.queryString)")
        bulkActions =
            [Option(value: "", label: "Choose an action…", selected: true)]
            + Platform.allCases.map { Option(value: "primary:\($0.rawValue)", label: "Choose primary: \($0.displayName)", selected: false) }
            + secondaries.filter { $0.health == .connected }.map {
                Option(value: "sync:\($0.id)", label: "Sync onto \(names[$0.id] ?? $0.displayName)", selected: false)
            }
            + [("reset", "Reset"), ("reprompt", "Reprompt"), ("remove", "Remove")].map { Option(value: $0.0, label: $0.1, selected: false) }
        filterFields = query.fields.map { Confirmation.Hidden(name: $0.0, value: $0.1) }
        self.canWrite = canWrite
        refresh = people.contains { $0.syncs.contains { $0.status == .pending } }
    }

    /// What a connection is called in the table: its platform, or its own name when the
    /// organization has several connections of that platform.
    static func names(_ connections: [PlatformConnection]) -> [ConnectionID: String] {
        let perPlatform = Dictionary(grouping: connections, by: \.platform)
        return Dictionary(
            uniqueKeysWithValues: connections.map {
                ($0.id, (perPlatform[$0.platform]?.count ?? 0) > 1 ? $0.displayName : $0.platform.displayName)
            })
    }

    static func statusLabel(_ status: SyncStatus) -> String {
        switch status {
        case .synced: "Synced"
        case .pending: "Pending"
        case .failed: "Failed"
        case .notCreated: "Not created"
        }
    }

    static func row(
        _ person: Person, secondaries: [PlatformConnection], names: [ConnectionID: String], live: Set<ConnectionID>, base: String, back: String,
        prompts: PromptThrottle
    ) -> Row {
        let name = person.displayName ?? person.email
        let href = "\(base)/people/\(person.id)"
        let backQuery = "back=\(FormEncodingForConsole.escape(back))"
        let choices = person.accounts.filter { $0.isActive && live.contains($0.connectionID) }
        let byConnection = Dictionary(choices.map { ($0.connectionID, $0) }, uniquingKeysWith: { first, _ in first })
        let primaryAccount = person.accounts.first { $0.connectionID == person.primaryConnectionID }
        let primaryName = person.primaryConnectionID.flatMap { names[$0] } ?? primaryAccount?.platform.displayName
        var primaryChoice: PrimaryChoice?
        if byConnection.count > 1 {
            let options = secondaries.filter { byConnection[$0.id] != nil }.map {
                Option(value: $0.id.description, label: names[$0.id] ?? $0.displayName, selected: $0.id == person.primaryConnectionID)
            }
            primaryChoice = PrimaryChoice(
                action: "\(href)/primary",
                options: (person.primaryConnectionID == nil ? [Option(value: "", label: "Choose…", selected: true)] : []) + options,
                label: "Primary platform of \(name)")
        }
        let cells = secondaries.map { connection -> Cell in
            let column = names[connection.id] ?? connection.displayName
            if connection.id == person.primaryConnectionID {
                return Cell(column: column, state: "primary", label: "Primary", tooltip: "\(column) is where \(name) lives.", href: nil)
            }
            if let sync = person.syncs.first(where: { $0.connectionID == connection.id }) {
                let label = statusLabel(sync.status)
                let tooltip = [sync.message, sync.fixAction.map { "Fix: \($0)" }, sync.nextRetryAt.map { "Next try: \(ConsoleFormat.dateTime($0))" }]
                    .compactMap { $0 }.joined(separator: " ")
                return Cell(column: column, state: sync.status.rawValue, label: label, tooltip: tooltip, href: href)
            }
            guard person.primaryConnectionID != nil else {
                return Cell(
                    column: column, state: "none", label: "Choose a primary first",
                    tooltip: "\(name) has no primary platform yet: choose one, then sync them.", href: nil)
            }
            return Cell(
                column: column, state: "not_created", label: "Not created",
                tooltip: "Not synced onto \(column) yet. Click to see what a sync would do.",
                href: connection.health == .connected ? "\(href)/sync/\(connection.id)?\(backQuery)" : nil)
        }
        let next = prompts.nextAllowed(for: person)
        let waiting = person.syncs.contains(where: PersonActions.waitsForPerson)
        var menu = [MenuItem(label: "Reset user", href: "\(href)/actions/reset?\(backQuery)", danger: false)]
        if waiting { menu.append(MenuItem(label: "Reprompt user", href: "\(href)/actions/reprompt?\(backQuery)", danger: false)) }
        menu.append(MenuItem(label: "Remove user", href: "\(href)/actions/remove?\(backQuery)", danger: true))
        return Row(
            id: person.id.description, name: name, email: person.email, href: href,
            platforms: Array(Set(person.accounts.filter(\.isActive).map(\.platform))).sorted { $0.rawValue < $1.rawValue }.map(\.displayName).joined(
                separator: ", "),
            deactivated: person.allAccountsDeactivated, primaryChoice: primaryChoice,
            primaryText: primaryName ?? (person.needsPrimaryChoice ? "Needs a choice" : "None"),
            cells: cells, menu: menu, nextPrompt: waiting ? next.map { "Next prompt allowed \(ConsoleFormat.dateTime($0))" } : nil)
    }
}
