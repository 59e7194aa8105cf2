import Foundation

/// The cross-platform identity: the platform accounts of one organization that share a
/// normalized email.
public struct Person: Sendable, Equatable {
    public let id: PersonID
    public let organizationID: OrganizationID
    public var email: String
    public var displayName: String?
    public var primaryConnectionID: ConnectionID?
    public var primarySource: PrimaryResolution.Source?
    public var primaryChosenBy: String?
    public var primaryChosenAt: Date?
    public var needsPrimaryChoice: Bool
    public var allAccountsDeactivated: Bool
    public var accounts: [Account]
    /// The person's syncs onto secondary connections (with their history on a person's own page).
    public var syncs: [Sync] = []
    public let createdAt: Date
    public var updatedAt: Date
    /// When the person was last sent a consent prompt (reprompts are throttled from it).
    public var lastPromptedAt: Date?

    public init(
        id: PersonID, organizationID: OrganizationID, email: String, displayName: String?, primaryConnectionID: ConnectionID?,
        primarySource: PrimaryResolution.Source?, primaryChosenBy: String?, primaryChosenAt: Date?, needsPrimaryChoice: Bool,
        allAccountsDeactivated: Bool, accounts: [Account], createdAt: Date, updatedAt: Date, lastPromptedAt: Date? = nil
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.displayName = displayName
        self.primaryConnectionID = primaryConnectionID
        self.primarySource = primarySource
        self.primaryChosenBy = primaryChosenBy
        self.primaryChosenAt = primaryChosenAt
        self.needsPrimaryChoice = needsPrimaryChoice
        self.allAccountsDeactivated = allAccountsDeactivated
        self.accounts = accounts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastPromptedAt = lastPromptedAt
    }

    /// One platform user of one connection, as imported.
    public struct Account: Sendable, Equatable {
        public let id: AccountID
        public var connectionID: ConnectionID
        public var platform: Platform
        public var platformUserID: String
        /// The address people are matched on (the platform's first).
        public var email: String?
        /// Every address the platform gives.
        public var emails: [String]
        public var displayName: String?
        public var realName: String?
        public var isGuest: Bool
        public var isActive: Bool
        public var deactivatedAt: Date?
        public var deactivationReason: DeactivationReason?
        public var firstSeenAt: Date
        /// When an import last changed the account's data or status.
        public var changedAt: Date

        public init(
            id: AccountID, connectionID: ConnectionID, platform: Platform, platformUserID: String, email: String?,
            emails: [String], displayName: String?, realName: String?, isGuest: Bool, isActive: Bool, deactivatedAt: Date?,
            deactivationReason: DeactivationReason?, firstSeenAt: Date, changedAt: Date
        ) {
            self.id = id
            self.connectionID = connectionID
            self.platform = platform
            self.platformUserID = platformUserID
            self.email = email
            self.emails = emails
            self.displayName = displayName
            self.realName = realName
            self.isGuest = isGuest
            self.isActive = isActive
            self.deactivatedAt = deactivatedAt
            self.deactivationReason = deactivationReason
            self.firstSeenAt = firstSeenAt
            self.changedAt = changedAt
        }
    }

    /// Why an account is no longer active. Accounts are never deleted by an import.
    public enum DeactivationReason: String, Sendable, Codable, CaseIterable {
        /// The platform lists the user as deactivated (or invited but never joined).
        case deactivatedUpstream = "deactivated_upstream"
        /// The platform no longer lists the user.
        case removedUpstream = "removed_upstream"
        /// The user is in none of the connection's selected teams (Teams, Webex).
        case notInSelectedTeams = "not_in_selected_teams"
        /// The admin disconnected the connection.
        case connectionDisconnected = "connection_disconnected"
    }
}

public typealias PersonID = Identifier<Person>
public typealias AccountID = Identifier<Person.Account>

/// A team (Teams, Webex), user group (Slack) or group (Zoom) of a connection, with the admin's
/// selection.
public struct Team: Sendable, Equatable {
    public let id: TeamID
    public var connectionID: ConnectionID
    public var platformTeamID: String
    public var name: String
    public var description: String?
    public var memberCount: Int?
    public var selected: Bool
    public var selectedAt: Date?
    public var selectedBy: String?
    public var lastSeenAt: Date?

    public init(
        id: TeamID, connectionID: ConnectionID, platformTeamID: String, name: String, description: String?, memberCount: Int?,
        selected: Bool, selectedAt: Date?, selectedBy: String?, lastSeenAt: Date?
    ) {
        self.id = id
        self.connectionID = connectionID
        self.platformTeamID = platformTeamID
        self.name = name
        self.description = description
        self.memberCount = memberCount
        self.selected = selected
        self.selectedAt = selectedAt
        self.selectedBy = selectedBy
        self.lastSeenAt = lastSeenAt
    }
}

public typealias TeamID = Identifier<Team>
