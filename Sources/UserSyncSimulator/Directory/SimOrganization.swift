import Foundation
import UserSyncDomain

/// The credentials a simulated organization accepts on each platform, derived from its name and
/// seed so tests and the demo can know them in advance.
public struct SimCredentials: Sendable, Codable, Equatable {
    public struct Slack: Sendable, Codable, Equatable {
        public var teamID: String
        public var teamName: String
        public var botToken: String
        public var clientID: String
        public var clientSecret: String
        /// Signs the Events API requests sent to the app's Request URL (`X-Slack-Signature`).
        public var signingSecret: String
    }

    public struct Teams: Sendable, Codable, Equatable {
        public var tenantID: String
        public var tenantName: String
        public var clientID: String
        public var clientSecret: String
        public var teamsAppID: String
        /// The Azure Bot's Microsoft App ID: the `aud` of the Bot Framework tokens sent to the bot.
        public var botAppID: String
    }

    public struct Zoom: Sendable, Codable, Equatable {
        public var accountID: String
        public var clientID: String
        public var clientSecret: String
        public var chatbotClientID: String
        public var chatbotClientSecret: String
        public var robotJID: String
        /// Signs event notifications (`x-zm-signature`) and answers URL validation.
        public var webhookSecretToken: String
    }

    public struct Webex: Sendable, Codable, Equatable {
        public var orgID: String
        public var orgName: String
        public var adminToken: String
        public var botToken: String
        public var clientID: String
        public var clientSecret: String
    }

    public var slack: Slack
    public var teams: Teams
    public var zoom: Zoom
    public var webex: Webex
}

/// One simulated organization: a Slack workspace, an Entra tenant, a Zoom account and a Webex
/// org whose users overlap the way a real company's do.
struct SimOrganization: Sendable {
    var name: String
    var seed: UInt64
    var size: Int
    var credentials: SimCredentials
    var directories: [Platform: SimPlatformDirectory]
    /// Platforms whose app credentials the control API revoked.
    var revoked: Set<Platform> = []
    /// Graph: installations of the Teams app per user id.
    var installations: [String: String] = [:]
    /// Conversations, messages, event URLs and webhooks on every platform.
    var chat = SimChat()
    var domain: String
    /// Entra group membership changes, for Graph delta queries.
    var membershipLog = SimMembershipLog()

    func directory(_ platform: Platform) -> SimPlatformDirectory { directories[platform] ?? SimPlatformDirectory() }
}
