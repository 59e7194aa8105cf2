import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

extension ConnectCenter {
    /// One page of the platform's teams, listed live, each with whether it is selected. Cursors
    /// are the platform's own, sealed. Listed teams are remembered so they can be selected by id.
    public func availableTeams(
        _ id: ConnectionID, organization: OrganizationID, cursor: String?, logger: Logger
    ) async throws -> (teams: [Team], next: String?) {
        let page = try await livePage(id, organization: organization, cursor: cursor, logger: logger) { $0.teams() }
        let stored = try await database.withTenant(organization, logger: logger) { db in
            try await teams.upsertSeen(
                page.items.map {
                    TeamRepository.Seen(platformTeamID: $0.platformTeamID, name: $0.name, description: $0.description, memberCount: $0.memberCount)
                },
                organization: organization, connection: id, on: db, logger: logger)
        }
        return (stored, page.next)
    }

    /// One page of a listing the platform serves live through a connection that is not
    /// disconnected (and passes `check`): the client's sealed cursor is opened, the platform is
    /// called (a failure is recorded on the connection's health), the next cursor is sealed.
    func livePage<Item: Sendable>(
        _ id: ConnectionID, organization: OrganizationID, cursor: String?, logger: Logger,
        check: (PlatformConnection) throws -> Void = { _ in },
        _ listing: @escaping @Sendable (any PlatformConnector) throws(PlatformFailure) -> PageSequence<Item>
    ) async throws -> (items: [Item], next: String?) {
        let connection = try await overview(organization, id, logger: logger).connection
        guard !connection.isDisconnected else {
            throw DomainError.conflict(code: "connection_disconnected", message: "This connection is disconnected.")
        }
        try check(connection)
        let platformCursor = try cursor.map { try access.openCursor($0, organization: organization, connection: id) }
        let page = try await calling(connection, logger: logger) { connector async throws(PlatformFailure) in
            try await listing(connector).page(at: platformCursor)
        }
        return (page.items, try page.next.map { try access.sealCursor($0, organization: organization, connection: id) })
    }

    /// Lists every team of the platform (all pages, live) and remembers them, so the console's
    /// picker can search and page them. Returns how many the platform listed.
    @discardableResult
    public func refreshTeams(_ id: ConnectionID, organization: OrganizationID, logger: Logger) async throws -> Int {
        let connection = try await overview(organization, id, logger: logger).connection
        guard !connection.isDisconnected else {
            throw DomainError.conflict(code: "connection_disconnected", message: "This connection is disconnected.")
        }
        let listed = try await calling(connection, logger: logger) { connector async throws(PlatformFailure) in
            var all: [PlatformTeam] = []
            for try await page in connector.teams() { all += page }
            return all
        }
        try await database.withTenant(organization, logger: logger) { db in
            for chunk in stride(from: 0, to: listed.count, by: 1_000).map({ listed[$0..<min($0 + 1_000, listed.count)] }) {
                _ = try await teams.upsertSeen(
                    chunk.map {
                        TeamRepository.Seen(
                            platformTeamID: $0.platformTeamID, name: $0.name, description: $0.description, memberCount: $0.memberCount)
                    },
                    organization: organization, connection: id, on: db, logger: logger)
            }
        }
        return listed.count
    }

    /// A page of the teams the service knows for the connection whose name contains `search`,
    /// selected first, and how many match.
    public func searchTeams(
        _ id: ConnectionID, organization: OrganizationID, search: String?, limit: Int, offset: Int, logger: Logger
    ) async throws -> (teams: [Team], total: Int) {
        try await database.withTenant(organization, logger: logger) { db in
            _ = try await connections.get(organization, id, on: db, logger: logger)
            return try await teams.search(organization, connection: id, search: search, limit: limit, offset: offset, on: db, logger: logger)
        }
    }

    /// The teams the service knows for the connection (selected first).
    public func knownTeams(_ id: ConnectionID, organization: OrganizationID, selectedOnly: Bool, logger: Logger) async throws -> [Team] {
        try await database.withTenant(organization, logger: logger) { db in
            _ = try await connections.get(organization, id, on: db, logger: logger)
            return try await teams.list(organization, connection: id, selectedOnly: selectedOnly, on: db, logger: logger)
        }
    }

    /// Adds and removes teams from the selection (Teams and Webex), by platform team id. Ids must
    /// come from a listing of available teams. The next import follows the new selection.
    public func selectTeams(
        _ id: ConnectionID, organization: OrganizationID, select: [String], deselect: [String], actor: AuditActor,
        requestID: String?, logger: Logger
    ) async throws -> [Team] {
        let overlap = Set(select).intersection(deselect)
        guard overlap.isEmpty else {
            throw DomainError.invalid(
                "deselect", "conflicting_selection", "A team cannot be selected and deselected at once: \(overlap.sorted().joined(separator: ", ")).")
        }
        return try await database.withTenant(organization, logger: logger) { db in
            let connection = try await connections.get(organization, id, on: db, logger: logger)
            guard connection.platform.importsSelectedTeams else {
                throw DomainError.conflict(
                    code: "team_selection_not_supported",
                    message:
                        "\(connection.platform.displayName) imports every user of the workspace; team selection applies to Microsoft Teams and Webex."
                )
            }
            let known = Set(
                try await teams.find(organization, connection: id, platformTeamIDs: select + deselect, on: db, logger: logger)
                    .map(\.platformTeamID))
            let unknown = (select + deselect).filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw DomainError.invalid(
                    select.contains(unknown[0]) ? "select" : "deselect", "unknown_team",
                    "No team with id \(unknown.prefix(5).joined(separator: ", ")) has been listed for this connection; list the available teams first."
                )
            }
            let selected = try await teams.setSelected(
                organization, connection: id, platformTeamIDs: select, selected: true, by: actor.label, on: db, logger: logger)
            let deselected = try await teams.setSelected(
                organization, connection: id, platformTeamIDs: deselect, selected: false, by: actor.label, on: db, logger: logger)
            if !selected.isEmpty || !deselected.isEmpty {
                try await audit.append(
                    .init(
                        action: "teams.selection_changed", targetType: "connection", targetID: id.description,
                        details: [
                            "selected": selected.joined(separator: ","), "deselected": deselected.joined(separator: ","),
                        ]),
                    organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            }
            return try await teams.list(organization, connection: id, selectedOnly: false, on: db, logger: logger)
        }
    }
}
