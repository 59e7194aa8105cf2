import Hummingbird
import UserSyncDomain

/// `GET /`: what a person trying the demo needs on one page: every simulated organization's
/// credentials and base URLs as UserSync's Connect form asks for them, the admins to sign in as,
/// and the sign-in client.
struct HomePage: Sendable {
    let simulator: PlatformSimulator
    var state: SimulatorState { simulator.state }

    func register(_ router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in render(base: SimHTTP(state: state).baseURL(request)).response }
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;margin:.5rem 0 1rem}
        th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}code{word-break:break-all}
        """

    func render(base: String) -> SimReply {
        let names = state.store.withLock { Array($0.organizations.keys) }.sorted()
        let configuration = state.configuration
        var body = """
            <p>Simulated Slack, Microsoft Graph/Teams, Zoom and Webex for UserSync. Control API: \
            <a href="/_sim/orgs"><code>/_sim/orgs</code></a>. Nothing here is real: no password is ever checked.</p>
            <h2>Sign in (OpenID Connect)</h2>
            \(Self.table([
                ("Client ID", configuration.openIDClientID), ("Client secret", configuration.openIDClientSecret),
                ("Slack issuer", "\(base)/slack"), ("Microsoft authority", "\(base)/login/organizations/v2.0"),
            ]))
            """
        if names.isEmpty { body += "<p>No organizations yet: <code>POST /_sim/orgs {\"name\":\"demo\"}</code>.</p>" }
        for summary in names.compactMap(state.summary) { body += organization(summary, base: base) }
        return SimHTML.page(title: "UserSync platform simulator", body: body, style: Self.style)
    }

    private func organization(_ summary: SimOrganizationSummary, base: String) -> String {
        var html = "<h2>\(SimHTML.escape(summary.name))</h2><p>Seed \(summary.seed), \(summary.size) people.</p>"
        for platform in Platform.allCases {
            let connection = summary.usersyncConnection(platform, base: base)
            let ordered = Self.fieldOrder[platform] ?? []
            let fields =
                ordered.filter { connection.credentials[$0] != nil }
                + connection.credentials.keys.filter { !ordered.contains($0) }.sorted()
            var rows = [("API base URL", connection.apiBaseURL), ("Auth base URL", connection.authBaseURL)]
            rows += fields.map { (Self.labels[$0] ?? $0, connection.credentials[$0] ?? "") }
            html += "<h3>\(SimHTML.escape(Self.platformNames[platform] ?? platform.rawValue))</h3>" + Self.table(rows)
            if let admins = summary.admins[platform.rawValue], !admins.isEmpty {
                html +=
                    "<p>Admins to sign in as:</p><table><tr><th>Name</th><th>Email</th><th>Id</th><th>Role</th></tr>"
                    + admins.map { admin in
                        "<tr>" + [admin.displayName, admin.email, admin.id, admin.role].map { "<td>\(SimHTML.escape($0))</td>" }.joined() + "</tr>"
                    }.joined() + "</table>"
            }
        }
        return html
    }

    private static func table(_ rows: [(String, String)]) -> String {
        "<table>" + rows.map { "<tr><th>\(SimHTML.escape($0.0))</th><td><code>\(SimHTML.escape($0.1))</code></td></tr>" }.joined() + "</table>"
    }

    static let platformNames: [Platform: String] = [.slack: "Slack", .teams: "Microsoft Teams", .zoom: "Zoom", .webex: "Webex"]

    /// The Connect form's order: the identifiers first, then the secrets.
    static let fieldOrder: [Platform: [String]] = [
        .slack: ["bot_token", "client_id", "client_secret"],
        .teams: ["tenant_id", "client_id", "client_secret", "teams_app_id", "bot_service_url"],
        .zoom: ["account_id", "client_id", "client_secret", "chatbot_client_id", "chatbot_client_secret", "robot_jid"],
        .webex: ["admin_token", "bot_token", "client_id", "client_secret"],
    ]

    static let labels = [
        "bot_token": "Bot token", "client_id": "Client ID", "client_secret": "Client secret", "tenant_id": "Tenant ID",
        "teams_app_id": "Teams app ID", "bot_service_url": "Bot service URL", "account_id": "Account ID",
        "chatbot_client_id": "Chatbot client ID", "chatbot_client_secret": "Chatbot client secret", "robot_jid": "Robot JID",
        "admin_token": "Admin token",
    ]
}
