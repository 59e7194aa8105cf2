import Foundation

/// The workspace, tenant or account a connection's credentials belong to.
public struct ConnectedIdentity: Sendable, Equatable, Codable {
    /// Slack team id, Entra tenant id, Zoom account id, Webex org id.
    public var workspaceID: String
    public var workspaceName: String?

    public init(workspaceID: String, workspaceName: String?) {
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
    }
}

/// A user of one platform, in the one shape every connector normalizes to.
public struct PlatformAccount: Sendable, Equatable, Codable {
    public var platformUserID: String
    /// All addresses the platform gives, primary first, as the platform spelled them.
    public var emails: [String]
    public var displayName: String?
    public var realName: String?
    public var isActive: Bool
    public var isBot: Bool
    public var isGuest: Bool

    public init(
        platformUserID: String, emails: [String], displayName: String?, realName: String?,
        isActive: Bool, isBot: Bool, isGuest: Bool
    ) {
        self.platformUserID = platformUserID
        self.emails = emails
        self.displayName = displayName
        self.realName = realName
        self.isActive = isActive
        self.isBot = isBot
        self.isGuest = isGuest
    }
}

public struct PlatformTeam: Sendable, Equatable, Codable {
    public var platformTeamID: String
    public var name: String
    public var description: String?
    public var memberCount: Int?

    public init(platformTeamID: String, name: String, description: String?, memberCount: Int?) {
        self.platformTeamID = platformTeamID
        self.name = name
        self.description = description
        self.memberCount = memberCount
    }
}

public struct PlatformTeamMember: Sendable, Equatable, Codable {
    public var platformUserID: String
    /// Only some platforms list a member's email with the membership.
    public var email: String?
    public var displayName: String?

    public init(platformUserID: String, email: String?, displayName: String?) {
        self.platformUserID = platformUserID
        self.email = email
        self.displayName = displayName
    }
}

/// A bot's message to one person: text plus one link (the consent prompt).
public struct DirectMessage: Sendable, Equatable {
    public var title: String
    public var text: String
    public var linkURL: String
    public var linkLabel: String

    public init(title: String, text: String, linkURL: String, linkLabel: String) {
        self.title = title
        self.text = text
        self.linkURL = linkURL
        self.linkLabel = linkLabel
    }

    /// Text with the link spelled out, for platforms and clients that show only plain text.
    public var plainText: String { "\(text) \(linkLabel): \(linkURL)" }
}

public struct DeliveredMessage: Sendable, Equatable {
    /// The platform's id of the message, where it returns one.
    public var platformMessageID: String?

    public init(platformMessageID: String?) { self.platformMessageID = platformMessageID }
}

public struct VirtualAccountRequest: Sendable, Equatable {
    public var email: String
    public var displayName: String
    /// Where a Teams guest lands after redeeming the invitation.
    public var redirectURL: String

    public init(email: String, displayName: String, redirectURL: String) {
        self.email = email
        self.displayName = displayName
        self.redirectURL = redirectURL
    }
}

public struct VirtualAccount: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A guest user invited into the tenant (Teams).
        case guest
        /// The app's bot posts on the person's behalf; nothing exists upstream (Slack, Webex).
        case botPersona = "bot_persona"
    }

    public var kind: Kind
    /// The upstream user id, for guests.
    public var platformUserID: String?
    /// The invitation redemption link, for guests.
    public var redeemURL: String?

    public init(kind: Kind, platformUserID: String?, redeemURL: String?) {
        self.kind = kind
        self.platformUserID = platformUserID
        self.redeemURL = redeemURL
    }
}

public struct ConsentRequest: Sendable, Equatable {
    public var state: String
    public var redirectURI: String
    /// The account expected to sign in, where the platform accepts a hint.
    public var loginHint: String?

    public init(state: String, redirectURI: String, loginHint: String? = nil) {
        self.state = state
        self.redirectURI = redirectURI
        self.loginHint = loginHint
    }
}

/// A user's own tokens from consent. Stored encrypted; never logged.
public struct UserTokens: Sendable, Equatable, Codable {
    public var accessToken: String
    public var refreshToken: String?
    public var expiresAt: Date?
    public var refreshTokenExpiresAt: Date?
    public var scope: String?
    /// The platform user who authorized.
    public var platformUserID: String?

    public init(
        accessToken: String, refreshToken: String?, expiresAt: Date?, refreshTokenExpiresAt: Date? = nil,
        scope: String?, platformUserID: String?
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.scope = scope
        self.platformUserID = platformUserID
    }

    /// Whether the access token should be refreshed before use.
    public func needsRefresh(at now: Date, margin: TimeInterval) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt.timeIntervalSince(now) <= margin
    }
}

public enum RevocationOutcome: String, Sendable, Equatable {
    case revoked
    /// The platform no longer knew the token: nothing left to revoke.
    case alreadyInvalid = "already_invalid"
    /// The platform offers no revocation call; the service forgets the tokens.
    case notSupportedUpstream = "not_supported_upstream"
}

/// A group of the platform's directory that Auto Sync can follow (an Entra group).
public struct PlatformDirectoryGroup: Sendable, Equatable {
    public var id: String
    public var displayName: String
    public var description: String?

    public init(id: String, displayName: String, description: String?) {
        self.id = id
        self.displayName = displayName
        self.description = description
    }
}

/// A connector whose platform holds the organization's directory groups (Microsoft Graph).
public protocol DirectoryGroupListing: PlatformConnector {
    /// The directory's groups, those whose name starts with `prefix` (any case) when given.
    func directoryGroups(startingWith prefix: String?) -> PageSequence<PlatformDirectoryGroup>
}
