import UserSyncDomain
import UserSyncUseCases

/// A connection as the console's cards and pages show it.
struct ConnectionCard {
    let id: String
    let href: String
    let name: String
    let platform: String
    let workspace: String
    let state: String
    let stateLabel: String
    let cause: String?
    let message: String?
    let fix: String?
    let accounts: String
    let activeAccounts: String
    let teams: String?
    let selectedTeams: String?
    let importsSelectedTeams: Bool
    let verifiedAt: String?
    let apiBaseURL: String
    let authBaseURL: String?
    let latestImport: ImportRow.Status?

    init(_ overview: ConnectCenter.Overview, base: String) {
        let connection = overview.connection
        id = connection.id.description
        href = "\(base)/connections/\(connection.id)"
        name = connection.displayName
        platform = connection.platform.displayName
        workspace = connection.workspaceName.map { "\($0) (\(connection.workspaceID))" } ?? connection.workspaceID
        state = connection.health.rawValue
        stateLabel =
            switch connection.health {
            case .connected: "Connected"
            case .needsAttention: "Needs attention"
            case .disconnected: "Disconnected"
            }
        cause = connection.healthCause
        message = connection.healthMessage
        fix = connection.fix
        accounts = ConsoleFormat.count(overview.stats.accounts)
        activeAccounts = ConsoleFormat.count(overview.stats.activeAccounts)
        importsSelectedTeams = connection.platform.importsSelectedTeams
        teams = ConsoleFormat.count(overview.stats.teams)
        selectedTeams = importsSelectedTeams ? ConsoleFormat.count(overview.stats.selectedTeams) : nil
        verifiedAt = connection.lastVerifiedAt.map(ConsoleFormat.dateTime)
        apiBaseURL = connection.apiBaseURL
        authBaseURL = connection.authBaseURL
        latestImport = overview.latestImport.map(ImportRow.Status.init)
    }
}
