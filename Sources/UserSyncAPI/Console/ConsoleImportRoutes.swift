import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// User Sync › Import teams and users: a row per connection with its import (live while it runs),
/// and the team picker of Teams and Webex.
struct ConsoleImportRoutes {
    let center: ConnectCenter
    let renderer: ConsoleRenderer

    static let teamsPerPage = 50

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("import", use: overview)
        console.post("connections/{connection_id}/import", use: runImport)
        console.get("connections/{connection_id}/teams", use: teams)
        console.post("connections/{connection_id}/teams", use: selectTeams)
    }

    struct OverviewPage {
        let missing: String?
        let rows: [ImportRow]
        let none: Bool
        let canWrite: Bool
    }

    @Sendable func overview(_ request: Request, context: ConsoleContext) async throws -> Response {
        let all = try await center.list(context.organization, includeDisconnected: false, logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        let rows = all.map { ImportRow($0, base: base) }
        return renderer.page(
            "import", title: "Import teams and users", identity: context.identity, section: .importing,
            body: OverviewPage(
                missing: ConsoleConnectRoutes.missingPlatforms(all), rows: rows, none: rows.isEmpty, canWrite: context.identity.canWrite),
            notice: ConsoleNotice.text(request), refresh: rows.contains { $0.status?.active ?? false })
    }

    @Sendable func runImport(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try ConsoleConnectRoutes.connectionID(context)
        _ = try await center.requestImport(
            id, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
        throw ConsoleRedirect.to("/console/\(context.identity.organization.slug.rawValue)/import?notice=import_queued#import-\(id)")
    }

    // MARK: Team picker

    struct TeamsPage {
        let connection: String
        let platform: String
        let action: String
        let search: String
        let teams: [TeamRow]
        let shown: String
        let previous: String?
        let next: String?
        let total: Int
        let selected: Int
        let none: Bool
        let searched: Bool
        let canWrite: Bool
        let refreshed: Bool
    }

    struct TeamRow {
        let id: String
        let name: String
        let description: String?
        let members: String?
        let selected: Bool
    }

    /// The teams of the connection, searchable and paged. The first visit lists them all from the
    /// platform; "Refresh the list" does it again.
    @Sendable func teams(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try ConsoleConnectRoutes.connectionID(context)
        let overview = try await center.overview(context.organization, id, logger: context.logger)
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        let search = query["q"]
        let page = max(0, Int(query["page"] ?? "") ?? 0)
        var refreshed = false
        if query["refresh"] != nil || overview.stats.teams == 0 {
            try await center.refreshTeams(id, organization: context.organization, logger: context.logger)
            refreshed = true
        }
        let (teams, total) = try await center.searchTeams(
            id, organization: context.organization, search: search, limit: Self.teamsPerPage, offset: page * Self.teamsPerPage, logger: context.logger
        )
        let selected = try await center.overview(context.organization, id, logger: context.logger).stats.selectedTeams
        let base = "/console/\(context.identity.organization.slug.rawValue)/connections/\(id)/teams"
        let searchQuery = search.map { "&q=\(FormEncodingForConsole.escape($0))" } ?? ""
        let first = page * Self.teamsPerPage
        return renderer.page(
            "teams", title: "Select teams", identity: context.identity, section: .importing,
            body: TeamsPage(
                connection: overview.connection.displayName, platform: overview.connection.platform.displayName, action: base,
                search: search ?? "",
                teams: teams.map {
                    TeamRow(
                        id: $0.platformTeamID, name: $0.name, description: $0.description,
                        members: $0.memberCount.map { ConsoleFormat.count($0, "member", "members") }, selected: $0.selected)
                },
                shown: total == 0 ? "" : "\(first + 1)–\(first + teams.count) of \(ConsoleFormat.count(total))",
                previous: page > 0 ? "\(base)?page=\(page - 1)\(searchQuery)" : nil,
                next: first + teams.count < total ? "\(base)?page=\(page + 1)\(searchQuery)" : nil,
                total: total, selected: selected, none: teams.isEmpty, searched: search != nil, canWrite: context.identity.canWrite,
                refreshed: refreshed),
            notice: ConsoleNotice.text(request))
    }

    /// Saves the checkboxes of the teams shown (checked: selected; shown and unchecked: not),
    /// and, when asked, imports at once.
    @Sendable func selectTeams(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireWrite()
        let id = try ConsoleConnectRoutes.connectionID(context)
        let form = context.form
        let checked = Set(form.all("team"))
        let shown = form.all("shown")
        let select = shown.filter { checked.contains($0) }
        let deselect = shown.filter { !checked.contains($0) }
        if !select.isEmpty || !deselect.isEmpty {
            _ = try await center.selectTeams(
                id, organization: context.organization, select: select, deselect: deselect, actor: context.actor,
                requestID: context.requestID, logger: context.logger)
        }
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        if form["then"] == "import" {
            _ = try await center.requestImport(
                id, organization: context.organization, actor: context.actor, requestID: context.requestID, logger: context.logger)
            throw ConsoleRedirect.to("\(base)/import?notice=import_queued#import-\(id)")
        }
        var back = "\(base)/connections/\(id)/teams?notice=teams_saved"
        if let page = form["page"] { back += "&page=\(FormEncodingForConsole.escape(page))" }
        if let search = form["q"] { back += "&q=\(FormEncodingForConsole.escape(search))" }
        throw ConsoleRedirect.to(back)
    }
}

/// One connection's row on the import page.
struct ImportRow {
    let id: String
    let name: String
    let platform: String
    let workspace: String
    let importsSelectedTeams: Bool
    let selectedTeams: String
    let hasSelection: Bool
    let teamsHref: String
    let importAction: String
    let status: Status?
    let needsAttention: Bool

    init(_ overview: ConnectCenter.Overview, base: String) {
        let connection = overview.connection
        id = connection.id.description
        name = connection.displayName
        platform = connection.platform.displayName
        workspace = connection.workspaceName ?? connection.workspaceID
        importsSelectedTeams = connection.platform.importsSelectedTeams
        selectedTeams = ConsoleFormat.count(overview.stats.selectedTeams, "team selected", "teams selected")
        hasSelection = overview.stats.selectedTeams > 0
        teamsHref = "\(base)/connections/\(connection.id)/teams"
        importAction = "\(base)/connections/\(connection.id)/import"
        status = overview.latestImport.map(Status.init)
        needsAttention = connection.health == .needsAttention
    }

    /// An import's state as the row shows it: the icon, a label, progress and counts.
    struct Status {
        let icon: String
        let label: String
        let active: Bool
        let failed: Bool
        let finished: String?
        let progressValue: Int?
        let progressMax: Int?
        let phase: String?
        let counts: [Count]
        let why: String?
        let fix: String?
        let waiting: String?

        struct Count {
            let label: String
            let value: String
        }

        init(_ run: ImportRun) {
            active = run.state.isActive
            failed = run.state == .failed
            icon =
                switch run.state {
                case .queued, .running: "pending"
                case .succeeded: "synced"
                case .failed: "failed"
                }
            label =
                switch run.state {
                case .queued: "Import queued"
                case .running: "Importing…"
                case .succeeded: "Imported"
                case .failed: "Import failed"
                }
            finished = run.finishedAt.map(ConsoleFormat.dateTime)
            let counts = run.counts
            if counts.teamsTotal > 0, run.phase == .members {
                progressValue = counts.teamsFetched
                progressMax = counts.teamsTotal
            } else {
                progressValue = nil
                progressMax = nil
            }
            phase = run.phase.map {
                switch $0 {
                case .members: "Listing the members of the selected teams"
                case .users: "Listing users"
                case .finishing: "Matching people"
                }
            }
            var shown = [
                Count(label: "Pages", value: ConsoleFormat.count(counts.pagesFetched)),
                Count(label: "Accounts seen", value: ConsoleFormat.count(counts.accountsSeen)),
                Count(label: "Added", value: ConsoleFormat.count(counts.accountsAdded)),
                Count(label: "Updated", value: ConsoleFormat.count(counts.accountsUpdated)),
                Count(label: "Deactivated", value: ConsoleFormat.count(counts.accountsDeactivated)),
            ]
            if counts.accountsReactivated > 0 { shown.append(Count(label: "Reactivated", value: ConsoleFormat.count(counts.accountsReactivated))) }
            if counts.accountsWithoutEmail > 0 {
                shown.append(Count(label: "Without email", value: ConsoleFormat.count(counts.accountsWithoutEmail)))
            }
            if counts.botsSkipped > 0 { shown.append(Count(label: "Bots skipped", value: ConsoleFormat.count(counts.botsSkipped))) }
            self.counts = shown
            why = run.failureMessage ?? run.failureCause
            fix = run.fix
            waiting = run.waitingUntil.map { "The platform asked UserSync to wait; it goes on at \(ConsoleFormat.dateTime($0))." }
        }
    }
}
