import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import UserSyncDomain
import UserSyncSimulator

/// A browser of the console for tests: it keeps cookies, sends forms with the CSRF token of the
/// page it last read, and signs in through the simulated identity providers the way a person's
/// browser would (the simulator over real HTTP, the service through the router).
final class ConsoleBrowser: Sendable {
    let api: API
    private let state = Mutex<(cookies: [String: String], csrf: String?)>(([:], nil))

    init(_ api: API) { self.api = api }

    var cookies: [String: String] { state.withLock { $0.cookies } }
    var csrf: String? { state.withLock { $0.csrf } }

    /// Forgets this browser's cookies (a new browser).
    func clearCookies() { state.withLock { $0.cookies = [:] } }

    func setCookie(_ name: String, _ value: String) { state.withLock { $0.cookies[name] = value } }

    @discardableResult
    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> Reply {
        try await send(.get, uri, body: nil, headers: extra)
    }

    /// Posts a form; the page's CSRF token goes along unless `csrf` says otherwise.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)] = [], csrf token: String?? = .none, headers extra: HTTPFields = [:]) async throws -> Reply {
        var fields = fields
        switch token {
        case .none: if let csrf { fields.append(("_csrf", csrf)) }
        case .some(let given?): fields.append(("_csrf", given))
        case .some(nil): break
        }
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await send(.post, uri, body: body, headers: headers)
    }

    /// Follows redirects inside the service (up to five), like a browser would.
    func follow(_ reply: Reply) async throws -> Reply {
        var reply = reply
        for _ in 0..<5 {
            guard [.seeOther, .found].contains(reply.status), let location = reply.headers[.location], location.hasPrefix("/") else { return reply }
            reply = try await get(location)
        }
        return reply
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?, headers extra: HTTPFields) async throws -> Reply {
        var headers = extra
        let jar = cookies
        if !jar.isEmpty { headers[.cookie] = jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await api.client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let reply = Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        remember(reply)
        return reply
    }

    private func remember(_ reply: Reply) {
        state.withLock { state in
            for header in reply.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
                let expired =
                    header.lowercased().contains("max-age=0") || pair[1].isEmpty
                    || header.range(of: #"expires=[^;]*19[0-9]{2}"#, options: [.regularExpression, .caseInsensitive]) != nil
                if expired { state.cookies.removeValue(forKey: name) } else { state.cookies[name] = String(pair[1]) }
            }
            if let token = Self.field("_csrf", in: reply.text) { state.csrf = token }
        }
    }

    /// The value of the first hidden field `name` in `html`.
    static func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value="([^"]*)""#, options: .regularExpression) else { return nil }
        let match = html[range]
        return match.split(separator: "\"").dropFirst(3).first.map { String($0).replacingOccurrences(of: "&amp;", with: "&") }
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? ""
    }

    // MARK: Signing in

    /// Signs in with a platform account through the simulated provider (which answers as `login`
    /// at once). Returns the console page the sign-in ends on, or the refusal.
    @discardableResult
    func signIn(_ provider: IdentityProvider, org: String? = nil, invitation: String? = nil, login: String) async throws -> Reply {
        let started = try await get(Self.startPath(provider, org: org, invitation: invitation))
        guard started.status == .seeOther, let authorize = started.headers[.location] else { return started }
        api.simulator.setAutoApprove(.allow, login: login)
        defer { api.simulator.setAutoApprove(nil) }
        let callback = try await Self.visitProvider(authorize)
        return try await follow(try await get(callback))
    }

    static func startPath(_ provider: IdentityProvider, org: String?, invitation: String?) -> String {
        var query: [String] = []
        if let org { query.append("org=\(escape(org))") }
        if let invitation { query.append("invitation=\(escape(invitation))") }
        return "/console/sign-in/\(provider.rawValue)?" + query.joined(separator: "&")
    }

    /// Opens the provider's authorize URL (real HTTP to the simulator); returns the service's
    /// callback path it redirects back to.
    static func visitProvider(_ authorize: String) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let answer: HTTPClientResponse
        do { answer = try await client.execute(HTTPClientRequest(url: authorize), timeout: .seconds(10)) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let location = try #require(answer.headers.first(name: "Location"), "the provider did not redirect back: \(answer.status)")
        #expect(location.hasPrefix("http://usersync.test/console/sign-in/"), "\(location)")
        return String(location.dropFirst("http://usersync.test".count))
    }

    /// Exchanges an API key for a session.
    @discardableResult
    func signIn(apiKey: String) async throws -> Reply {
        let page = try await get("/console/sign-in")
        let token = try #require(Self.field("_form", in: page.text))
        return try await follow(try await post("/console/sign-in/key", [("_form", token), ("api_key", apiKey)], csrf: .some(nil)))
    }
}

extension API {
    /// An invitation link's token for `org`, as the operator API prints it.
    func invitationToken(_ org: String, role: String = "admin", email: String? = nil) async throws -> String {
        let body = email.map { #"{"role":"\#(role)","email":"\#($0)"}"# } ?? #"{"role":"\#(role)"}"#
        let reply = try await call(.post, "/v1/orgs/\(org)/invitations", json: body)
        #expect(reply.status == .created, "\(reply.text)")
        let url = try #require(try reply.decode(InvitationJSON.self).url)
        #expect(url.hasPrefix("http://usersync.test/console/invitations/usi_"))
        return String(url.split(separator: "/").last!)
    }

    /// The organization's console members, as the API lists them.
    func members(_ org: String = "acme", includeRevoked: Bool = false) async throws -> [MemberJSON] {
        let reply = try await call(.get, "/v1/orgs/\(org)/members" + (includeRevoked ? "?include_revoked=true" : ""))
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(Page<MemberJSON>.self).items
    }

    /// The simulated organization's Slack admins (the owner first) and Entra admins.
    func admins(_ platform: Platform, organization: String = "acme") throws -> [SimAdmin] {
        try #require(simulator.summary(organization: organization)?.admins[platform.rawValue])
    }

    /// An account of the simulated organization on `platform` that is not an admin there.
    func nonAdmin(_ platform: Platform, organization: String = "acme") throws -> SimPerson {
        let admins = Set(try admins(platform, organization: organization).map(\.id))
        return try #require(
            simulator.people(organization: organization, limit: 500)?.first { person in
                person.accounts.contains { $0.platform == platform && $0.active && !$0.pending && !$0.guest && !admins.contains($0.id) }
            })
    }
}
