import UserSyncDomain

/// Where a connection's platform lives: the real cloud by default, or any base URL (the simulator,
/// a sovereign cloud). `api` is the REST base; `auth` is the OAuth host.
public struct PlatformEndpoints: Sendable, Equatable {
    public var api: String
    public var auth: String

    public init(api: String, auth: String) {
        self.api = Self.trimmed(api)
        self.auth = Self.trimmed(auth)
    }

    /// The real platform's endpoints.
    public static func production(_ platform: Platform) -> Self {
        switch platform {
        case .slack: Self(api: "https://slack.com/api", auth: "https://slack.com")
        case .teams: Self(api: "https://graph.microsoft.com/v1.0", auth: "https://login.microsoftonline.com")
        case .zoom: Self(api: "https://api.zoom.us/v2", auth: "https://zoom.us")
        case .webex: Self(api: "https://webexapis.com/v1", auth: "https://webexapis.com/v1")
        }
    }

    /// The endpoints of a platform simulator at `base` (e.g. `http://127.0.0.1:8081`).
    public static func simulator(_ platform: Platform, base: String) -> Self {
        let base = trimmed(base)
        return switch platform {
        case .slack: Self(api: "\(base)/slack/api", auth: "\(base)/slack")
        case .teams: Self(api: "\(base)/graph/v1.0", auth: "\(base)/login")
        case .zoom: Self(api: "\(base)/zoom/v2", auth: "\(base)/zoom")
        case .webex: Self(api: "\(base)/webex/v1", auth: "\(base)/webex/v1")
        }
    }

    /// The Bot Connector base that the simulator serves beside Graph.
    public static func simulatorBotService(base: String) -> String { "\(trimmed(base))/botframework/" }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
