import Foundation
import UserSyncDomain
import UserSyncUseCases

/// A connection as the Connect Center shows it: never its credentials.
struct ConnectionRepresentation: Encodable, Sendable {
    struct Workspace: Encodable, Sendable {
        let id: String
        @Nullable var name: String?
    }

    struct Health: Encodable, Sendable {
        let state: String
        @Nullable var cause: String?
        @Nullable var message: String?
        let changedAt: Date
    }

    struct Accounts: Encodable, Sendable {
        let total: Int
        let active: Int
    }

    struct Teams: Encodable, Sendable {
        let known: Int
        let selected: Int
        /// Teams and Webex import only the members of selected teams.
        let selectionRequired: Bool
    }

    let id: ConnectionID
    let platform: Platform
    let displayName: String
    let workspace: Workspace
    let health: Health
    let apiBaseUrl: String
    @Nullable var authBaseUrl: String?
    @Nullable var lastVerifiedAt: Date?
    let createdAt: Date
    let updatedAt: Date
    @Nullable var disconnectedAt: Date?
    @Nullable var accounts: Accounts?
    @Nullable var teams: Teams?
    @Nullable var latestImport: ImportRunRepresentation?

    init(_ connection: PlatformConnection, overview: ConnectCenter.Overview? = nil) {
        id = connection.id
        platform = connection.platform
        displayName = connection.displayName
        workspace = Workspace(id: connection.workspaceID, name: connection.workspaceName)
        health = Health(
            state: connection.health.rawValue, cause: connection.healthCause, message: connection.healthMessage,
            changedAt: connection.healthChangedAt)
        apiBaseUrl = connection.apiBaseURL
        authBaseUrl = connection.authBaseURL
        lastVerifiedAt = connection.lastVerifiedAt
        createdAt = connection.createdAt
        updatedAt = connection.updatedAt
        disconnectedAt = connection.disconnectedAt
        if let overview {
            accounts = Accounts(total: overview.stats.accounts, active: overview.stats.activeAccounts)
            teams = Teams(
                known: overview.stats.teams, selected: overview.stats.selectedTeams,
                selectionRequired: connection.platform.importsSelectedTeams)
            latestImport = overview.latestImport.map(ImportRunRepresentation.init)
        }
    }

    init(_ overview: ConnectCenter.Overview) { self.init(overview.connection, overview: overview) }
}

/// An import run with its live counts.
struct ImportRunRepresentation: Encodable, Sendable {
    struct Failure: Encodable, Sendable {
        let cause: String
        @Nullable var message: String?
    }

    struct Counts: Encodable, Sendable {
        let pagesFetched: Int
        let teamsTotal: Int
        let teamsFetched: Int
        let accountsSeen: Int
        let accountsAdded: Int
        let accountsUpdated: Int
        let accountsReactivated: Int
        let accountsDeactivated: Int
        let accountsWithoutEmail: Int
        let botsSkipped: Int
    }

    let id: ImportRunID
    let connectionId: ConnectionID
    let state: String
    @Nullable var phase: String?
    /// Set while a platform's rate limit holds the run.
    @Nullable var waitingUntil: Date?
    @Nullable var failure: Failure?
    @Nullable var lastError: String?
    let attempts: Int
    @Nullable var jobId: String?
    let requestedBy: String
    let counts: Counts
    let createdAt: Date
    @Nullable var startedAt: Date?
    @Nullable var finishedAt: Date?

    init(_ run: ImportRun) {
        id = run.id
        connectionId = run.connectionID
        state = run.state.rawValue
        phase = run.phase?.rawValue
        waitingUntil = run.waitingUntil
        failure = run.failureCause.map { Failure(cause: $0, message: run.failureMessage) }
        lastError = run.lastError
        attempts = run.attempts
        jobId = run.jobID.map(String.init)
        requestedBy = run.requestedBy
        let c = run.counts
        counts = Counts(
            pagesFetched: c.pagesFetched, teamsTotal: c.teamsTotal, teamsFetched: c.teamsFetched, accountsSeen: c.accountsSeen,
            accountsAdded: c.accountsAdded, accountsUpdated: c.accountsUpdated, accountsReactivated: c.accountsReactivated,
            accountsDeactivated: c.accountsDeactivated, accountsWithoutEmail: c.accountsWithoutEmail, botsSkipped: c.botsSkipped)
        createdAt = run.createdAt
        startedAt = run.startedAt
        finishedAt = run.finishedAt
    }
}

/// A team of a connection with the admin's selection.
struct TeamRepresentation: Encodable, Sendable {
    let id: TeamID
    let platformTeamId: String
    let name: String
    @Nullable var description: String?
    @Nullable var memberCount: Int?
    let selected: Bool
    @Nullable var selectedAt: Date?
    @Nullable var selectedBy: String?

    init(_ team: Team) {
        id = team.id
        platformTeamId = team.platformTeamID
        name = team.name
        description = team.description
        memberCount = team.memberCount
        selected = team.selected
        selectedAt = team.selectedAt
        selectedBy = team.selectedBy
    }
}

/// A person with their accounts per platform.
struct PersonRepresentation: JSONWritable, Sendable {
    struct Primary: JSONWritable, Sendable {
        let connectionId: ConnectionID
        let platform: Platform?
        let source: String
        let chosenBy: String?
        let chosenAt: Date?

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.member("chosen_at", chosenAt)
                json.member("chosen_by", chosenBy)
                json.member("connection_id", connectionId)
                json.member("platform", platform)
                json.member("source", source)
            }
        }
    }

    struct Account: JSONWritable, Sendable {
        let id: AccountID
        let connectionId: ConnectionID
        let platform: Platform
        let platformUserId: String
        let email: String?
        let emails: [String]
        let displayName: String?
        let realName: String?
        let guest: Bool
        let active: Bool
        let deactivatedAt: Date?
        let deactivationReason: String?
        let firstSeenAt: Date
        let changedAt: Date

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.member("active", active)
                json.member("changed_at", changedAt)
                json.member("connection_id", connectionId)
                json.member("deactivated_at", deactivatedAt)
                json.member("deactivation_reason", deactivationReason)
                json.member("display_name", displayName)
                json.member("email", email)
                json.member("emails", emails)
                json.member("first_seen_at", firstSeenAt)
                json.member("guest", guest)
                json.member("id", id)
                json.member("platform", platform)
                json.member("platform_user_id", platformUserId)
                json.member("real_name", realName)
            }
        }
    }

    let id: PersonID
    let email: String
    let displayName: String?
    let primary: Primary?
    let needsPrimaryChoice: Bool
    let allAccountsDeactivated: Bool
    /// The platforms the person has an active account on.
    let platforms: [Platform]
    let accounts: [Account]
    /// One per secondary connection; with their history on a person's own page.
    let syncs: [SyncRepresentation]
    let createdAt: Date
    let updatedAt: Date

    init(_ person: Person) {
        id = person.id
        email = person.email
        displayName = person.displayName
        primary = person.primaryConnectionID.map { connection in
            Primary(
                connectionId: connection, platform: person.accounts.first { $0.connectionID == connection }?.platform,
                source: person.primarySource?.rawValue ?? "default", chosenBy: person.primaryChosenBy, chosenAt: person.primaryChosenAt)
        }
        needsPrimaryChoice = person.needsPrimaryChoice
        allAccountsDeactivated = person.allAccountsDeactivated
        var seen = Set<Platform>()
        platforms = person.accounts.filter(\.isActive).map(\.platform).filter { seen.insert($0).inserted }
        accounts = person.accounts.map {
            Account(
                id: $0.id, connectionId: $0.connectionID, platform: $0.platform, platformUserId: $0.platformUserID, email: $0.email,
                emails: $0.emails, displayName: $0.displayName, realName: $0.realName, guest: $0.isGuest, active: $0.isActive,
                deactivatedAt: $0.deactivatedAt, deactivationReason: $0.deactivationReason?.rawValue, firstSeenAt: $0.firstSeenAt,
                changedAt: $0.changedAt)
        }
        syncs = person.syncs.map { SyncRepresentation($0, history: !$0.history.isEmpty) }
        createdAt = person.createdAt
        updatedAt = person.updatedAt
    }

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.member("accounts", accounts)
            json.member("all_accounts_deactivated", allAccountsDeactivated)
            json.member("created_at", createdAt)
            json.member("display_name", displayName)
            json.member("email", email)
            json.member("id", id)
            json.member("needs_primary_choice", needsPrimaryChoice)
            json.member("platforms", platforms)
            json.member("primary", primary)
            json.member("syncs", syncs)
            json.member("updated_at", updatedAt)
        }
    }
}
