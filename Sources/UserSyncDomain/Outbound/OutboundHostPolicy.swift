import Foundation

/// Where the service may send a platform's requests, which carry the connection's credentials:
/// an operator's allowlist of hosts per platform (the public clouds and their documented
/// government and sovereign clouds by default). A tenant admin picks a connection's base URLs
/// among these hosts only, and a host whose addresses lie inside a network (loopback, private,
/// link-local, metadata) is refused unless the operator allows it (the simulator, a demo).
public struct OutboundHostPolicy: Sendable, Equatable {
    /// The hosts each platform's connections may use.
    public var hosts: [Platform: [HostPattern]]
    /// Whether `http` is allowed beside `https` (the simulator).
    public var allowsInsecure: Bool
    /// Whether hosts that resolve to internal addresses are allowed (the simulator, a demo).
    public var allowsInternalAddresses: Bool

    public init(hosts: [Platform: [HostPattern]] = Self.publicHosts, allowsInsecure: Bool = false, allowsInternalAddresses: Bool = false) {
        self.hosts = hosts
        self.allowsInsecure = allowsInsecure
        self.allowsInternalAddresses = allowsInternalAddresses
    }

    /// The platforms' public clouds and their documented government and sovereign clouds.
    public static let publicHosts: [Platform: [HostPattern]] = [
        // GovSlack lives at slack-gov.com.
        .slack: ["slack.com", "slack-gov.com"],
        // Microsoft Graph and Entra sign-in: global, US Government L4 and L5 (DoD), China (21Vianet);
        // the Bot Framework's signing keys and its global Bot Connector service (the relay).
        .teams: [
            "graph.microsoft.com", "login.microsoftonline.com", "login.botframework.com", "smba.trafficmanager.net",
            "graph.microsoft.us", "dod-graph.microsoft.us", "login.microsoftonline.us",
            "microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn",
        ],
        // Zoom and ZoomGov.
        .zoom: ["api.zoom.us", "zoom.us", "api.zoomgov.com", "zoomgov.com"],
        // Webex and Webex for Government.
        .webex: ["webexapis.com", "api-usgov.webex.com"],
    ].mapValues { $0.map { HostPattern($0)! } }

    /// Every host of every platform, any scheme and any address: only for tests against the simulator.
    public static let unrestricted = OutboundHostPolicy(
        hosts: Dictionary(uniqueKeysWithValues: Platform.allCases.map { ($0, [HostPattern.any]) }),
        allowsInsecure: true, allowsInternalAddresses: true)

    /// Why a URL may not be called.
    public enum Refusal: Error, Sendable, Equatable {
        /// Not an absolute http(s) URL without credentials, query or fragment.
        case malformed
        /// `http` while only `https` is allowed.
        case insecure
        /// A host the operator has not allowed for this platform.
        case hostNotAllowed(host: String)
        /// The host resolves to an address inside a network.
        case internalAddress(host: String, address: IPAddress, range: IPAddress.InternalRange)

        public var code: String {
            switch self {
            case .malformed: "invalid_url"
            case .insecure: "insecure_url"
            case .hostNotAllowed: "host_not_allowed"
            case .internalAddress: "internal_address"
            }
        }

        public var message: String {
            switch self {
            case .malformed: "must be an absolute https URL without credentials, query or fragment"
            case .insecure: "must use https (the operator allows http only for a simulator: USERSYNC_ALLOW_INSECURE_PLATFORM_URLS)"
            case .hostNotAllowed(let host):
                "names '\(host)', which is not a host the operator allows for this platform (USERSYNC_PLATFORM_HOSTS_<PLATFORM>)"
            case .internalAddress(let host, let address, let range):
                "names '\(host)', which resolves to \(address) (\(range.rawValue.replacingOccurrences(of: "_", with: " ")) address); "
                    + "platform requests never go inside the network"
            }
        }
    }

    /// The host (and port) of `url` when the URL is well formed, uses an allowed scheme and names
    /// an allowed host; the addresses it resolves to are checked apart (``check(_:of:)``). A base
    /// URL has no query or fragment; a request's URL may.
    public func check(_ url: String, platform: Platform, isRequest: Bool = false) -> Result<Destination, Refusal> {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let rawHost = components.host, !rawHost.isEmpty, components.user == nil, components.password == nil,
            isRequest || components.query == nil && components.fragment == nil
        else { return .failure(.malformed) }
        guard scheme == "https" || allowsInsecure else { return .failure(.insecure) }
        var host = rawHost.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (hosts[platform] ?? []).contains(where: { $0.matches(host: host, port: port) }) else {
            return .failure(.hostNotAllowed(host: host))
        }
        return .success(Destination(host: host, port: port))
    }

    /// Whether the addresses a destination's host resolves to may be called: every one must be
    /// public unless the operator allows internal addresses. A host that resolves to nothing
    /// cannot be reached at all, which the request itself reports (a platform outage, retried).
    public func check(_ addresses: [IPAddress], of destination: Destination) -> Refusal? {
        guard !allowsInternalAddresses else { return nil }
        for address in addresses {
            if let range = address.internalRange { return .internalAddress(host: destination.host, address: address, range: range) }
        }
        return nil
    }

    /// A host and port that passed the allowlist.
    public struct Destination: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }
}

/// An allowed host: `slack.com`, a wildcard for its subdomains (`*.example.com`, not
/// `example.com` itself), an address (`127.0.0.1`, `[::1]`), optionally with a port
/// (`127.0.0.1:8090`); without one, any port. `*` alone allows every host.
public struct HostPattern: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let host: String
    public let port: Int?

    public static let any = HostPattern(host: "*", port: nil)

    private init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        var text = text.trimmingCharacters(in: .whitespaces).lowercased()
        var port: Int?
        if text.hasPrefix("[") {
            // [v6] or [v6]:port
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()), (1...65_535).contains(value) else { return nil }
                port = value
            }
            text = String(text[text.index(after: text.startIndex)..<close])
            guard IPAddress(text) != nil else { return nil }
        } else if let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") {
            guard let value = Int(text[text.index(after: colon)...]), (1...65_535).contains(value) else { return nil }
            port = value
            text = String(text[..<colon])
        }
        let label = #/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/#
        guard text == "*" || IPAddress(text) != nil || text.wholeMatch(of: label) != nil else { return nil }
        self.init(host: text, port: port)
    }

    public init(stringLiteral value: String) {
        self = HostPattern(value)!
    }

    public func matches(host candidate: String, port candidatePort: Int) -> Bool {
        if let port, port != candidatePort { return false }
        if host == "*" { return true }
        if host.hasPrefix("*.") { return candidate.hasSuffix(host.dropFirst()) }
        if let mine = IPAddress(host), let theirs = IPAddress(candidate) { return mine == theirs }
        return host == candidate
    }

    public var description: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shown):\($0)" } ?? shown
    }
}
