import UserSyncDomain

/// The body of UserSync's `POST /v1/orgs/{org}/connections` that connects one simulated platform,
/// so the demo and tests connect the simulator the way an admin would connect the real thing.
public struct UserSyncConnectionBody: Sendable, Codable, Equatable {
    public var platform: String
    public var displayName: String
    public var credentials: [String: String]
    public var apiBaseURL: String
    public var authBaseURL: String

    enum CodingKeys: String, CodingKey {
        case platform, credentials
        case displayName = "display_name", apiBaseURL = "api_base_url", authBaseURL = "auth_base_url"
    }
}

extension SimOrganizationSummary {
    /// How to connect `platform` of this organization to UserSync, with the simulator at `base`.
    public func usersyncConnection(_ platform: Platform, base: String) -> UserSyncConnectionBody {
        let base = base.hasSuffix("/") ? String(base.dropLast()) : base
        let c = credentials
        let (api, auth, fields): (String, String, [String: String]) =
            switch platform {
            case .slack:
                (
                    "\(base)/slack/api", "\(base)/slack",
                    [
                        "bot_token": c.slack.botToken, "client_id": c.slack.clientID, "client_secret": c.slack.clientSecret,
                        "signing_secret": c.slack.signingSecret,
                    ]
                )
            case .teams:
                (
                    "\(base)/graph/v1.0", "\(base)/login",
                    [
                        "tenant_id": c.teams.tenantID, "client_id": c.teams.clientID, "client_secret": c.teams.clientSecret,
                        "teams_app_id": c.teams.teamsAppID, "bot_service_url": "\(base)/botframework/", "bot_app_id": c.teams.botAppID,
                    ]
                )
            case .zoom:
                (
                    "\(base)/zoom/v2", "\(base)/zoom",
                    [
                        "account_id": c.zoom.accountID, "client_id": c.zoom.clientID, "client_secret": c.zoom.clientSecret,
                        "chatbot_client_id": c.zoom.chatbotClientID, "chatbot_client_secret": c.zoom.chatbotClientSecret,
                        "robot_jid": c.zoom.robotJID, "webhook_secret_token": c.zoom.webhookSecretToken,
                    ]
                )
            case .webex:
                (
                    "\(base)/webex/v1", "\(base)/webex/v1",
                    [
                        "admin_token": c.webex.adminToken, "bot_token": c.webex.botToken, "client_id": c.webex.clientID,
                        "client_secret": c.webex.clientSecret,
                    ]
                )
            }
        return UserSyncConnectionBody(
            platform: platform.rawValue, displayName: "\(name) \(platform.rawValue) (simulated)", credentials: fields,
            apiBaseURL: api, authBaseURL: auth)
    }
}
