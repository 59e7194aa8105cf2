import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

/// Zoom's REST API and OAuth host as platform-apis.md §3 describes them (served under `/zoom`).
struct ZoomSimulator: Sendable {
    let http: SimHTTP
    let oauth: SimOAuth
    var state: SimulatorState { http.state }

    static let maxPageSize = 300

    func register(_ router: Router<BasicRequestContext>) {
        router.post("/zoom/oauth/token") { request, _ in
            let fields = await SimHTTP.fields(request)
            let endpoint = fields["grant_type"] == "client_credentials" ? "chatbot.token" : "token"
            return try await http.serve(.zoom, endpoint, render: Self.render) { try token(request, fields) }
        }
        router.post("/zoom/oauth/revoke") { request, _ in
            let fields = await SimHTTP.fields(request)
            return try await http.serve(.zoom, "revoke", render: Self.render) {
                _ = try consentClient(request, fields)
                guard oauth.revoke(accessToken: fields["token"] ?? "") else {
                    throw SimError.badRequest(code: "oauth:invalid_grant", message: "Invalid Token!")
                }
                return SimHTTP.json(["status": "success"] as [String: AnyCodable])
            }
        }
        oauth.register(router, "/zoom/oauth/authorize") { fields, _ in authorization(fields) }
        route(router, .get, "/zoom/v2/users", "users") { request, _, token in try users(request, token) }
        route(router, .get, "/zoom/v2/users/:id", "user", kinds: [.app, .user]) { _, context, token in try user(context, token) }
        route(router, .get, "/zoom/v2/groups", "groups") { _, _, token in try groups(token) }
        route(router, .get, "/zoom/v2/groups/:id/members", "group.members") { request, context, token in
            try members(request, context, token)
        }
        registerChat(router)
    }

    func route(
        _ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ endpoint: String,
        kinds: Set<SimToken.Kind> = [.app],
        _ handler: @escaping @Sendable (Request, BasicRequestContext, SimToken) async throws -> SimReply
    ) {
        http.route(router, .zoom, method, path, endpoint, kinds: kinds, render: Self.render, handler)
    }

    static func render(_ error: SimError) -> SimReply {
        switch error {
        case .rateLimited(let retryAfter):
            var headers = SimHTTP.retryAfterHeaders(retryAfter)
            headers[HTTPField.Name("X-RateLimit-Type")!] = "QPS"
            headers[HTTPField.Name("X-RateLimit-Category")!] = "Medium"
            return SimHTTP.json(
                ["code": 429, "message": "You have reached the maximum per-second rate limit for this API. Try again later."] as [String: AnyCodable],
                status: .tooManyRequests, headers: headers)
        case .unavailable(let status):
            return SimHTTP.json(["code": .int(status), "message": "Internal server error."] as [String: AnyCodable], status: .init(code: status))
        case .unauthorized(let failure):
            let message = failure == .expired ? "Access token is expired." : "Invalid access token."
            return SimHTTP.json(["code": 124, "message": .string(message)] as [String: AnyCodable], status: .unauthorized)
        case .forbidden(let code, let message):
            if code.hasPrefix("oauth:") {
                return SimHTTP.json(
                    ["reason": .string(message), "error": .string(String(code.dropFirst(6)))] as [String: AnyCodable], status: .unauthorized)
            }
            return SimHTTP.json(["code": .int(Int(code) ?? 4711), "message": .string(message)] as [String: AnyCodable], status: .forbidden)
        case .notFound(let code, let message):
            return SimHTTP.json(["code": .int(Int(code) ?? 1001), "message": .string(message)] as [String: AnyCodable], status: .notFound)
        case .conflict(let code, let message):
            return SimHTTP.json(["code": .int(Int(code) ?? 409), "message": .string(message)] as [String: AnyCodable], status: .conflict)
        case .badRequest(let code, let message):
            if code.hasPrefix("oauth:") {
                return SimHTTP.json(
                    ["reason": .string(message), "error": .string(String(code.dropFirst(6)))] as [String: AnyCodable], status: .badRequest)
            }
            return SimHTTP.json(["code": .int(Int(code) ?? 300), "message": .string(message)] as [String: AnyCodable], status: .badRequest)
        }
    }

    // MARK: OAuth

    private func token(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let lifetime = state.configuration.appTokenLifetime
        switch fields["grant_type"] {
        case "account_credentials":
            let organization = try client(request) { $0.zoom.clientID == $1 && $0.zoom.clientSecret == $2 }
            guard fields["account_id"] == organization.credentials.zoom.accountID else {
                throw SimError.badRequest(code: "oauth:invalid_request", message: "Invalid account_id.")
            }
            let value = state.issueToken(organization: organization.name, platform: .zoom, kind: .app, lifetime: lifetime)
            return SimHTTP.json(
                [
                    "access_token": .string(value), "token_type": "bearer", "expires_in": .int(lifetime), "scope": "user:read:admin group:read:admin",
                    "api_url": "https://api.zoom.us",
                ] as [String: AnyCodable])
        case "client_credentials":
            let organization = try client(request) { $0.zoom.chatbotClientID == $1 && $0.zoom.chatbotClientSecret == $2 }
            let value = state.issueToken(organization: organization.name, platform: .zoom, kind: .bot, lifetime: lifetime)
            return SimHTTP.json(
                ["access_token": .string(value), "token_type": "bearer", "expires_in": .int(lifetime), "scope": "imchat:bot"] as [String: AnyCodable])
        case "authorization_code":
            let organization = try consentClient(request, fields)
            let clientID = organization.credentials.zoom.chatbotClientID
            switch oauth.redeem(code: fields["code"] ?? "", platform: .zoom, clientID: clientID, redirectURI: fields["redirect_uri"]) {
            case .success(let grant):
                return userTokens(oauth.issue(organization: grant.organization, platform: .zoom, userID: grant.userID, clientID: clientID))
            case .failure:
                throw SimError.badRequest(code: "oauth:invalid_grant", message: "Invalid authorization code.")
            }
        case "refresh_token":
            let organization = try consentClient(request, fields)
            guard
                case .success(let issued) = oauth.refresh(
                    fields["refresh_token"] ?? "", platform: .zoom, clientID: organization.credentials.zoom.chatbotClientID, rotate: true)
            else { throw SimError.badRequest(code: "oauth:invalid_grant", message: "Invalid Token!") }
            return userTokens(issued)
        default:
            throw SimError.badRequest(code: "oauth:unsupported_grant_type", message: "Unsupported grant type")
        }
    }

    private func userTokens(_ issued: SimOAuth.IssuedTokens) -> SimReply {
        SimHTTP.json(
            [
                "access_token": .string(issued.accessToken), "token_type": "bearer", "refresh_token": .string(issued.refreshToken),
                "expires_in": .int(issued.expiresIn), "scope": "user:read team_chat:write",
            ] as [String: AnyCodable])
    }

    /// The organization whose app matches the Basic credentials.
    private func client(_ request: Request, _ match: (SimCredentials, String, String) -> Bool) throws -> SimOrganization {
        guard let (id, secret) = SimHTTP.basic(request),
            let organization = state.organization(where: { match($0.credentials, id, secret) }), !organization.revoked.contains(.zoom)
        else { throw SimError.forbidden(code: "oauth:invalid_client", message: "Invalid client_id or client_secret") }
        return organization
    }

    private func consentClient(_ request: Request, _ fields: [String: String]) throws -> SimOrganization {
        try client(request) { $0.zoom.chatbotClientID == $1 && $0.zoom.chatbotClientSecret == $2 }
    }

    private func authorization(_ fields: [String: String]) -> SimOAuth.Authorization? {
        let clientID = fields["client_id"] ?? ""
        guard let organization = state.organization(where: { $0.credentials.zoom.chatbotClientID == clientID }) else { return nil }
        return .init(
            platform: .zoom, organization: organization.name, clientID: clientID, redirectURI: fields["redirect_uri"] ?? "",
            state: fields["state"], loginHint: fields["login_hint"])
    }

    // MARK: Users and groups

    private func directory(_ token: SimToken) -> SimPlatformDirectory {
        state.store.withLock { $0.organizations[token.organization]?.directory(.zoom) } ?? SimPlatformDirectory()
    }

    private func pageSize(_ query: [String: String]) -> Int { min(max(Int(query["page_size"] ?? "30") ?? 30, 1), Self.maxPageSize) }

    private func position(_ query: [String: String], _ token: SimToken, listing: String) throws -> CursorCodec.Position? {
        guard let value = query["next_page_token"], !value.isEmpty else { return nil }
        do { return try state.cursors.decode(value, organization: token.organization, listing: listing) } catch {
            throw SimError.badRequest(code: "300", message: "The next page token is invalid or expired.")
        }
    }

    private func users(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let status = query["status"] ?? "active"
        guard ["active", "inactive", "pending"].contains(status) else {
            throw SimError.badRequest(code: "300", message: "Invalid status: \(status)")
        }
        let listing = "zoom.users.\(status)"
        let size = pageSize(query)
        let directory = directory(token)
        let include: (SimAccount) -> Bool = { account in
            switch status {
            case "pending": account.pending
            case "active": account.active && !account.pending
            default: !account.active && !account.pending
            }
        }
        let start = try position(query, token, listing: listing)
        // total_records is counted on the first page and carried in the token.
        let total = start?.flag ?? directory.accounts.reduce(0) { $0 + (!$1.removed && include($1) ? 1 : 0) }
        let (accounts, next) = directory.page(from: start?.offset ?? 0, limit: size, where: include)
        let nextToken = next.map { state.cursors.encode(.init(organization: token.organization, listing: listing, offset: $0, flag: total)) }
        return SimHTTP.json(
            ZoomWireUsers(
                next_page_token: nextToken ?? "", page_count: (total + size - 1) / max(size, 1), page_number: 1, page_size: size,
                total_records: total, users: accounts.map { ZoomWireUser($0, status: status) }))
    }

    private func user(_ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let requested = SimHTTP.param(context, "id") ?? ""
        let directory = directory(token)
        let id = requested == "me" ? token.userID ?? "" : requested
        guard let index = directory.find(login: id) else { throw SimError.notFound(code: "1001", message: "User does not exist: \(requested).") }
        let account = directory.accounts[index]
        var user = ZoomWireUser(account, status: account.pending ? "pending" : (account.active ? "active" : "inactive"))
        user.jid = "\(account.id.lowercased())@xmpp.zoom.us"
        return SimHTTP.json(user)
    }

    private func groups(_ token: SimToken) throws -> SimReply {
        let teams = directory(token).teams
        let groups: [AnyCodable] = teams.map { .object(["id": .string($0.id), "name": .string($0.name), "total_members": .int($0.members.count)]) }
        return SimHTTP.json(["groups": .array(groups), "total_records": .int(teams.count)] as [String: AnyCodable])
    }

    private func members(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let groupID = SimHTTP.param(context, "id") ?? ""
        let directory = directory(token)
        guard let teamIndex = directory.teamIndex[groupID] else {
            throw SimError.notFound(code: "4130", message: "Group does not exist: \(groupID).")
        }
        let listing = "zoom.group.\(groupID)"
        let size = pageSize(query)
        let members = directory.teams[teamIndex].members.map { directory.accounts[$0] }.filter { !$0.removed }
        let offset = try position(query, token, listing: listing)?.offset ?? 0
        let slice = members.dropFirst(offset).prefix(size)
        let end = offset + slice.count
        let nextToken = end < members.count ? state.cursors.encode(.init(organization: token.organization, listing: listing, offset: end)) : ""
        let value: [AnyCodable] = slice.map { account in
            .object([
                "id": .string(account.id), "email": .optional(account.primaryEmail), "first_name": .string(account.firstName),
                "last_name": .string(account.lastName), "type": 2,
            ])
        }
        return SimHTTP.json(
            [
                "members": .array(value), "next_page_token": .string(nextToken), "page_count": .int((members.count + size - 1) / size),
                "page_number": 1, "page_size": .int(size), "total_records": .int(members.count),
            ] as [String: AnyCodable])
    }
}
