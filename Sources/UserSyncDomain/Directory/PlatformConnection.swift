import Foundation

/// A connected workspace, tenant or account of one platform (Connect Center). Its credentials are
/// not part of this value: they stay sealed in the database and are opened only to call the platform.
public struct PlatformConnection: Sendable, Equatable {
    public let id: ConnectionID
    public let organizationID: OrganizationID
    public var platform: Platform
    public var displayName: String
    /// The identity the platform reported when the credentials were verified.
    public var workspaceID: String
    public var workspaceName: String?
    public var apiBaseURL: String
    public var authBaseURL: String?
    public var health: ConnectionHealth
    /// Why the connection needs attention (a `PlatformFailure.Cause`), or why it was disconnected.
    public var healthCause: String?
    public var healthMessage: String?
    public var healthChangedAt: Date
    public var lastVerifiedAt: Date?
    public let createdAt: Date
    public var updatedAt: Date
    public var disconnectedAt: Date?

    public init(
        id: ConnectionID, organizationID: OrganizationID, platform: Platform, displayName: String, workspaceID: String,
        workspaceName: String?, apiBaseURL: String, authBaseURL: String?, health: ConnectionHealth, healthCause: String?,
        healthMessage: String?, healthChangedAt: Date, lastVerifiedAt: Date?, createdAt: Date, updatedAt: Date,
        disconnectedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.platform = platform
        self.displayName = displayName
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
        self.apiBaseURL = apiBaseURL
        self.authBaseURL = authBaseURL
        self.health = health
        self.healthCause = healthCause
        self.healthMessage = healthMessage
        self.healthChangedAt = healthChangedAt
        self.lastVerifiedAt = lastVerifiedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.disconnectedAt = disconnectedAt
    }

    public var isDisconnected: Bool { health == .disconnected }
}

public typealias ConnectionID = Identifier<PlatformConnection>

extension Platform {
    /// Teams and Webex import the members of the teams the admin selected; Slack and Zoom import
    /// every user of the workspace or account.
    public var importsSelectedTeams: Bool {
        switch self {
        case .teams, .webex: true
        case .slack, .zoom: false
        }
    }

    /// How people call this platform.
    public var displayName: String {
        switch self {
        case .slack: "Slack"
        case .teams: "Microsoft Teams"
        case .zoom: "Zoom"
        case .webex: "Webex"
        }
    }
}

extension PlatformConnection {
    /// What an admin does about a connection that is not connected: the fix shown beside its state.
    public var fix: String? {
        let name = platform.displayName
        switch health {
        case .connected:
            return nil
        case .disconnected:
            return "Reconnect it with fresh credentials for the same workspace, then import again: its accounts come back."
        case .needsAttention:
            switch PlatformFailure.Cause(rawValue: healthCause ?? "") {
            case .credentialsRejected?:
                return "The credentials stopped working (revoked, expired or rotated on \(name)). Enter fresh ones; "
                    + "the connection turns connected as soon as \(name) accepts them."
            case .destinationRefused?:
                return "Its base URL names a host this deployment does not allow (or one inside the network). "
                    + "Change it to the platform's URL, or ask the operator to allow the host."
            case .permissionMissing?:
                return "The app lacks a permission UserSync needs. Grant it on \(name) (re-install the app if \(name) asks), then verify now."
            default:
                return "Verify now to check again; UserSync also re-checks by itself."
            }
        }
    }
}
