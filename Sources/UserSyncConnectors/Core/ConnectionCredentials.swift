/// What a connection needs to call its platform. Sealed with the secret box at rest; never
/// logged (its `description` names the platform only) and never returned by the API.
public enum ConnectionCredentials: Sendable, Hashable, Codable, CustomStringConvertible {
    case slack(Slack)
    case teams(Teams)
    case zoom(Zoom)
    case webex(Webex)

    public struct Slack: Sendable, Hashable, Codable {
        /// The bot token (`xoxb-…`) from installing the app.
        public var botToken: String
        /// The app's OAuth client, needed for people's own consent (link syncs).
        public var clientID: String?
        public var clientSecret: String?
        /// For Enterprise Grid org-wide tokens: the workspace to list.
        public var teamID: String?
        /// The app's signing secret (Basic Information), which signs the Events API requests the
        /// relay receives (API field `signing_secret`).
        public var signingSecret: String?

        public init(
            botToken: String, clientID: String? = nil, clientSecret: String? = nil, teamID: String? = nil, signingSecret: String? = nil
        ) {
            self.botToken = botToken
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.teamID = teamID
            self.signingSecret = signingSecret
        }
    }

    public struct Teams: Sendable, Hashable, Codable {
        /// The Entra tenant (GUID or domain).
        public var tenantID: String
        /// The app registration used for Graph (client credentials) and people's consent.
        public var clientID: String
        public var clientSecret: String
        /// The Bot Framework app; defaults to the Graph app when absent.
        public var botAppID: String?
        public var botAppSecret: String?
        /// The Teams app's id in the org catalog, installed for a user before the bot can DM them.
        public var teamsAppID: String?
        /// The Bot Connector service URL (regional); defaults to the global one.
        public var botServiceURL: String?

        public init(
            tenantID: String, clientID: String, clientSecret: String, botAppID: String? = nil,
            botAppSecret: String? = nil, teamsAppID: String? = nil, botServiceURL: String? = nil
        ) {
            self.tenantID = tenantID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.botAppID = botAppID
            self.botAppSecret = botAppSecret
            self.teamsAppID = teamsAppID
            self.botServiceURL = botServiceURL
        }
    }

    public struct Zoom: Sendable, Hashable, Codable {
        /// Server-to-Server OAuth app.
        public var accountID: String
        public var clientID: String
        public var clientSecret: String
        /// The Team Chat app (chatbot); defaults to the Server-to-Server app's client.
        public var chatbotClientID: String?
        public var chatbotClientSecret: String?
        public var robotJID: String?
        /// The user-managed OAuth app for people's consent; defaults to the chatbot client.
        public var consentClientID: String?
        public var consentClientSecret: String?
        /// The Team Chat app's Secret Token, which signs its event notifications (API field
        /// `webhook_secret_token`).
        public var webhookSecretToken: String?

        public init(
            accountID: String, clientID: String, clientSecret: String, chatbotClientID: String? = nil,
            chatbotClientSecret: String? = nil, robotJID: String? = nil, consentClientID: String? = nil,
            consentClientSecret: String? = nil, webhookSecretToken: String? = nil
        ) {
            self.accountID = accountID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.chatbotClientID = chatbotClientID
            self.chatbotClientSecret = chatbotClientSecret
            self.robotJID = robotJID
            self.consentClientID = consentClientID
            self.consentClientSecret = consentClientSecret
            self.webhookSecretToken = webhookSecretToken
        }
    }

    public struct Webex: Sendable, Hashable, Codable {
        /// An administrator's (or service app's) token with `spark-admin:people_read`.
        public var adminToken: String
        /// The bot's token, used for direct messages; defaults to the admin token.
        public var botToken: String?
        /// The integration used for people's consent.
        public var clientID: String?
        public var clientSecret: String?
        /// The secret the relay's webhooks are registered with, which signs their deliveries
        /// (`X-Spark-Signature`). Made by UserSync per connection, never by the admin.
        public var webhookSecret: String?

        public init(
            adminToken: String, botToken: String? = nil, clientID: String? = nil, clientSecret: String? = nil, webhookSecret: String? = nil
        ) {
            self.adminToken = adminToken
            self.botToken = botToken
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.webhookSecret = webhookSecret
        }
    }

    public var platformName: String {
        switch self {
        case .slack: "slack"
        case .teams: "teams"
        case .zoom: "zoom"
        case .webex: "webex"
        }
    }

    public var description: String { "ConnectionCredentials(\(platformName), redacted)" }
}
