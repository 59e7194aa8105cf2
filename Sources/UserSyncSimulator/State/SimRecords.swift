import Foundation
import UserSyncDomain

/// A token the simulator issued or was configured with. Values are the dictionary keys.
struct SimToken: Sendable {
    enum Kind: String, Sendable, Codable {
        /// Slack bot token, Graph app token, Zoom account token, Webex admin token.
        case app
        /// Bot Framework, Zoom chatbot and Webex bot tokens.
        case bot
        /// A person's token from consent.
        case user
    }

    var organization: String
    var platform: Platform
    var kind: Kind
    var userID: String?
    var issuedAt: Date
    var expiresAt: Date?
    var revoked = false
}

struct SimRefreshToken: Sendable {
    var organization: String
    var platform: Platform
    var userID: String
    var clientID: String
    var revoked = false
}

struct SimAuthorizationCode: Sendable {
    var organization: String
    var platform: Platform
    var userID: String
    var clientID: String
    var redirectURI: String
    var expiresAt: Date
}

/// A direct message the simulator delivered, for tests to assert on.
public struct SimMessage: Sendable, Codable, Equatable {
    public var organization: String
    public var platform: Platform
    /// The recipient's platform user id.
    public var to: String
    public var text: String
    /// The first link in the message (button, card or markdown).
    public var link: String?
    public var at: Date
}

public struct SimInvitation: Sendable, Codable, Equatable {
    public var organization: String
    public var id: String
    public var email: String
    public var displayName: String
    /// The guest user created in the tenant.
    public var userID: String
    public var redirectURL: String
    public var deleted: Bool
}

/// What the control API shows of a token: never its value.
public struct SimTokenSummary: Sendable, Codable, Equatable {
    public var platform: Platform
    public var kind: String
    public var userID: String?
    public var issuedAt: Date
    public var expiresAt: Date?
    public var revoked: Bool
}

public struct SimOrganizationSummary: Sendable, Codable, Equatable {
    public var name: String
    public var seed: UInt64
    public var size: Int
    public var credentials: SimCredentials
    public var counts: [String: SimCounts]
    /// Administrators per platform raw value (`slack`, `teams`), to sign in as.
    public var admins: [String: [SimAdmin]]
}

/// A seeded person as the control API lists them: who is where, so tests can pick people.
public struct SimPerson: Sendable, Codable, Equatable {
    public struct Account: Sendable, Codable, Equatable {
        public var platform: Platform
        public var id: String
        public var emails: [String]
        public var active: Bool
        /// Invited but never joined: platforms list such users as not active.
        public var pending: Bool
        public var guest: Bool
        /// The platform ids of the teams (groups) the account is in.
        public var teams: [String]
    }

    public var email: String
    public var accounts: [Account]
}
