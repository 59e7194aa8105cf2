import UserSyncDomain

/// The credential fields of each platform's form, in the words of the platform's own app settings.
enum ConnectFields {
    static let labels: [String: (String, String?)] = [
        "bot_token": ("Bot token", "xoxb-… from OAuth & Permissions, with users:read, users:read.email, usergroups:read, chat:write, im:write."),
        "client_id": ("Client ID", "From the app's Basic Information (Slack), Overview (Microsoft), App Credentials (Zoom) or integration (Webex)."),
        "client_secret": ("Client secret", nil),
        "team_id": ("Team ID", "Only for an Enterprise Grid org-wide app: the workspace to use."),
        "tenant_id": ("Directory (tenant) ID", "From the app registration's Overview in Microsoft Entra."),
        "bot_app_id": ("Bot app ID", "When the bot has its own app registration."),
        "bot_app_secret": ("Bot app secret", nil),
        "teams_app_id": ("Teams app ID", "The catalog id of the Teams app that carries the bot, to install it for people."),
        "bot_service_url": ("Bot service URL", "Leave empty for the public cloud."),
        "account_id": ("Account ID", "From the Server-to-Server OAuth app's App Credentials."),
        "chatbot_client_id": ("Chatbot client ID", "The Team Chat app's credentials, for the bot's messages."),
        "chatbot_client_secret": ("Chatbot client secret", nil),
        "robot_jid": ("Bot JID", "The chatbot's JID from its Features page."),
        "consent_client_id": ("Consent app client ID", "A user-managed OAuth app for people's own consent."),
        "consent_client_secret": ("Consent app client secret", nil),
        "admin_token": ("Admin access token", "A token of a Webex admin (or a service app), with spark-admin:people_read."),
        "signing_secret": ("Signing secret", "From the app's Basic Information: verifies the message events the relay receives (docs/relay.md)."),
        "webhook_secret_token": ("Secret token", "The Team Chat app's Secret Token (Feature page): verifies its event notifications."),
    ]

    /// Where a platform names a field differently.
    static let overrides: [Platform: [String: (String, String?)]] = [
        .webex: ["bot_token": ("Bot access token", "The Webex bot that sends people their prompts.")]
    ]

    static func label(_ platform: Platform, _ name: String) -> (String, String?) {
        overrides[platform]?[name] ?? labels[name] ?? (name, nil)
    }

    static let secret: Set<String> = [
        "bot_token", "client_secret", "bot_app_secret", "chatbot_client_secret", "consent_client_secret", "admin_token", "signing_secret",
        "webhook_secret_token",
    ]

    static let intro: [Platform: String] = [
        .slack: "Install your UserSync Slack app in the workspace, then paste its bot token. UserSync checks it with auth.test before saving.",
        .teams:
            "Register an app in Microsoft Entra with the Graph application permissions User.Read.All, Team.ReadBasic.All, TeamMember.Read.All and User.Invite.All; UserSync checks it with a token request and /organization.",
        .zoom: "Create a Server-to-Server OAuth app with user:read:admin and group:read:admin. UserSync checks it with a token request.",
        .webex: "Paste an admin's (or service app's) access token. UserSync checks it with /people/me.",
    ]
}
