import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

/// Microsoft Graph, the identity platform's token and authorize endpoints and the Bot Connector,
/// as platform-apis.md §2 describes them (served under `/graph/v1.0`, `/login`, `/botframework`).
struct GraphSimulator: Sendable {
    let http: SimHTTP
    let oauth: SimOAuth
    let openID: MicrosoftOpenID
    var state: SimulatorState { http.state }

    static let defaultFields = [
        "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone", "officeLocation",
        "preferredLanguage", "surname", "userPrincipalName",
    ]
    static let membersPageSize = 100

    func register(_ router: Router<BasicRequestContext>) {
        router.post("/login/:tenant/oauth2/v2.0/token") { request, context in
            let fields = await SimHTTP.fields(request)
            let tenant = SimHTTP.param(context, "tenant") ?? ""
            if openID.openID.isClient(request, fields) {
                return try await http.serve(.teams, "openid.token", render: Self.renderIdentity) {
                    try await openID.token(tenant: tenant, request, fields)
                }
            }
            let endpoint = tenant == "botframework.com" ? "bot.token" : "token"
            return try await http.serve(.teams, endpoint, render: Self.renderIdentity) { try token(tenant: tenant, fields) }
        }
        openID.register(router)
        oauth.register(router, "/login/:tenant/oauth2/v2.0/authorize", takeOver: openID.authorize) { fields, context in
            authorization(tenant: SimHTTP.param(context, "tenant") ?? "", fields)
        }
        route(router, .get, "/graph/v1.0/organization", "organization") { request, _, token in try organization(token) }
        route(router, .get, "/graph/v1.0/users", "users") { request, _, token in try users(request, token) }
        route(router, .delete, "/graph/v1.0/users/:id", "user.delete") { _, context, token in try deleteUser(context, token) }
        route(router, .get, "/graph/v1.0/teams", "teams") { request, _, token in try teams(request, token) }
        route(router, .get, "/graph/v1.0/groups", "groups") { request, _, token in try groups(request, token) }
        route(router, .get, "/graph/v1.0/groups/delta", "groups.delta") { request, _, token in try groupsDelta(request, token) }
        route(router, .get, "/graph/v1.0/groups/:id/members", "groups.members") { request, context, token in
            try groupMembers(request, context, token)
        }
        route(router, .get, "/graph/v1.0/groups/:id/members/microsoft.graph.user", "groups.members") { request, context, token in
            try groupMembers(request, context, token)
        }
        registerSubscriptions(router)
        route(router, .get, "/graph/v1.0/teams/:id/members", "team.members") { request, context, token in
            try members(request, context, token)
        }
        route(router, .post, "/graph/v1.0/invitations", "invitations") { request, _, token in try await invite(request, token) }
        route(router, .get, "/graph/v1.0/users/:id/teamwork/installedApps", "installedApps") { request, context, token in
            try installedApps(request, context, token)
        }
        route(router, .post, "/graph/v1.0/users/:id/teamwork/installedApps", "installedApps.install") { request, context, token in
            try await install(request, context, token)
        }
        route(router, .get, "/graph/v1.0/users/:id/teamwork/installedApps/:installation/chat", "installedApps.chat") {
            _, context, token in try chat(context, token)
        }
        route(router, .get, "/graph/v1.0/users/:id/transitiveMemberOf/microsoft.graph.directoryRole", "transitiveMemberOf") {
            _, context, token in try directoryRoles(context, token)
        }
        route(router, .get, "/graph/v1.0/me", "me", kinds: [.user]) { _, _, token in
            SimHTTP.json(["id": .string(token.userID ?? "")] as [String: AnyCodable])
        }
        route(router, .post, "/graph/v1.0/me/revokeSignInSessions", "revokeSignInSessions", kinds: [.user]) { request, _, _ in
            _ = oauth.revoke(accessToken: SimHTTP.bearer(request) ?? "")
            return SimHTTP.json(["value": true] as [String: AnyCodable])
        }
        route(router, .post, "/botframework/v3/conversations/:conversation/activities", "bot.activities", kinds: [.bot]) {
            request, context, token in try await activity(request, context, token)
        }
    }

    func route(
        _ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ endpoint: String,
        kinds: Set<SimToken.Kind> = [.app],
        _ handler: @escaping @Sendable (Request, BasicRequestContext, SimToken) async throws -> SimReply
    ) {
        http.route(router, .teams, method, path, endpoint, kinds: kinds, render: Self.render, handler)
    }

    // MARK: Errors

    /// Graph's error body: `{"error":{"code","message","innerError":{"date","request-id"}}}`.
    static func errorBody(_ code: String, _ message: String) -> [String: AnyCodable] {
        [
            "error": .object([
                "code": .string(code), "message": .string(message),
                "innerError": .object([
                    "date": .string(ISO8601DateFormatter().string(from: Date())), "request-id": .string(UUID().uuidString.lowercased()),
                ]),
            ])
        ]
    }

    static func render(_ error: SimError) -> SimReply {
        let body = errorBody
        switch error {
        case .rateLimited(let retryAfter):
            return SimHTTP.json(
                body("TooManyRequests", "Too many requests for this application in this tenant. Please try again later."),
                status: .tooManyRequests, headers: SimHTTP.retryAfterHeaders(retryAfter))
        case .unavailable(let status):
            return SimHTTP.json(body("serviceNotAvailable", "The service is temporarily unavailable."), status: .init(code: status))
        case .unauthorized(let failure):
            let message = failure == .expired ? "Access token has expired or is not yet valid." : "Access token validation failure."
            return SimHTTP.json(body("InvalidAuthenticationToken", message), status: .unauthorized)
        case .forbidden(let code, let message):
            return SimHTTP.json(body(code, message), status: .forbidden)
        case .notFound(let code, let message):
            return SimHTTP.json(body(code, message), status: .notFound)
        case .badRequest(let code, let message):
            return SimHTTP.json(body(code, message), status: .badRequest)
        case .conflict(let code, let message):
            return SimHTTP.json(body(code, message), status: .conflict)
        }
    }

    /// The identity platform's own error shape: `error`, `error_description`, `error_codes`.
    static func renderIdentity(_ error: SimError) -> SimReply {
        func body(_ code: String, _ description: String) -> [String: AnyCodable] {
            [
                "error": .string(code), "error_description": .string(description),
                "error_codes": .array([.int(Int(description.dropFirst(6).prefix { $0.isNumber }) ?? 0)]),
                "trace_id": .string(UUID().uuidString.lowercased()),
            ]
        }
        switch error {
        case .rateLimited(let retryAfter):
            return SimHTTP.json(
                body("temporarily_unavailable", "AADSTS50196: Too many requests."), status: .tooManyRequests,
                headers: SimHTTP.retryAfterHeaders(retryAfter))
        case .unavailable(let status):
            return SimHTTP.json(body("temporarily_unavailable", "AADSTS90033: A transient error has occurred."), status: .init(code: status))
        case .unauthorized:
            return SimHTTP.json(body("invalid_client", "AADSTS7000215: Invalid client secret provided."), status: .unauthorized)
        case .forbidden(let code, let message), .notFound(let code, let message), .badRequest(let code, let message),
            .conflict(let code, let message):
            return SimHTTP.json(body(code, message), status: .badRequest)
        }
    }

    // MARK: Tokens and consent

    private func token(tenant: String, _ fields: [String: String]) throws -> SimReply {
        let clientID = fields["client_id"] ?? ""
        let secret = fields["client_secret"] ?? ""
        let isBot = tenant == "botframework.com"
        let organization = state.organization { organization in
            organization.credentials.teams.clientID == clientID
                && (isBot || organization.credentials.teams.tenantID == tenant || "\(organization.domain)" == tenant)
        }
        guard let organization else {
            if !isBot, state.organization(where: { $0.credentials.teams.tenantID == tenant }) == nil {
                throw SimError.badRequest(code: "invalid_request", message: "AADSTS90002: Tenant '\(tenant)' not found.")
            }
            throw SimError.badRequest(code: "unauthorized_client", message: "AADSTS700016: Application with identifier '\(clientID)' was not found.")
        }
        guard organization.credentials.teams.clientSecret == secret, !organization.revoked.contains(.teams) else {
            throw SimError.unauthorized(.invalid)
        }
        switch fields["grant_type"] {
        case "client_credentials":
            // The Bot Framework tenant issues Bot Connector tokens only; a tenant issues Graph tokens.
            let resource = isBot ? "https://api.botframework.com/.default" : "https://graph.microsoft.com/.default"
            guard fields["scope"] == resource else {
                throw SimError.badRequest(code: "invalid_scope", message: "AADSTS1002012: The provided value for scope is not valid.")
            }
            let lifetime = state.configuration.appTokenLifetime
            let value = state.issueToken(organization: organization.name, platform: .teams, kind: isBot ? .bot : .app, lifetime: lifetime)
            return SimHTTP.json(
                [
                    "token_type": "Bearer", "expires_in": .int(lifetime), "ext_expires_in": .int(lifetime), "access_token": .string(value),
                ] as [String: AnyCodable])
        case "authorization_code":
            switch oauth.redeem(code: fields["code"] ?? "", platform: .teams, clientID: clientID, redirectURI: fields["redirect_uri"]) {
            case .success(let grant):
                return userTokens(oauth.issue(organization: grant.organization, platform: .teams, userID: grant.userID, clientID: clientID), fields)
            case .failure:
                throw SimError.badRequest(
                    code: "invalid_grant", message: "AADSTS70008: The provided authorization code or refresh token has expired or was already used.")
            }
        case "refresh_token":
            guard case .success(let issued) = oauth.refresh(fields["refresh_token"] ?? "", platform: .teams, clientID: clientID, rotate: true) else {
                throw SimError.badRequest(code: "invalid_grant", message: "AADSTS700082: The refresh token has expired or been revoked.")
            }
            return userTokens(issued, fields)
        default:
            throw SimError.badRequest(code: "unsupported_grant_type", message: "AADSTS70003: The app requested an unsupported grant type.")
        }
    }

    private func userTokens(_ issued: SimOAuth.IssuedTokens, _ fields: [String: String]) -> SimReply {
        SimHTTP.json(
            [
                "token_type": "Bearer", "scope": .string(fields["scope"] ?? "User.Read"), "expires_in": .int(issued.expiresIn),
                "ext_expires_in": .int(issued.expiresIn), "access_token": .string(issued.accessToken), "refresh_token": .string(issued.refreshToken),
            ] as [String: AnyCodable])
    }

    private func authorization(tenant: String, _ fields: [String: String]) -> SimOAuth.Authorization? {
        let clientID = fields["client_id"] ?? ""
        guard
            let organization = state.organization(where: {
                $0.credentials.teams.clientID == clientID
                    && ($0.credentials.teams.tenantID == tenant || tenant == "common" || tenant == "organizations")
            })
        else { return nil }
        return .init(
            platform: .teams, organization: organization.name, clientID: clientID, redirectURI: fields["redirect_uri"] ?? "",
            state: fields["state"], loginHint: fields["login_hint"])
    }

    // MARK: Directory

    private func organization(_ token: SimToken) throws -> SimReply {
        let organization = try state.store.withLock { store in
            guard let organization = store.organizations[token.organization] else { throw SimError.unauthorized(.revoked) }
            return organization.credentials.teams
        }
        return SimHTTP.json(
            ["value": .array([.object(["id": .string(organization.tenantID), "displayName": .string(organization.tenantName)])])]
                as [String: AnyCodable])
    }

    /// Reads `$skiptoken` of a Graph listing, or the start.
    func position(_ query: [String: String], token: SimToken, listing: String) throws -> CursorCodec.Position {
        guard let skip = query["$skiptoken"] else { return .init(organization: token.organization, listing: listing, offset: 0) }
        do {
            return try state.cursors.decode(skip, organization: token.organization, listing: listing)
        } catch .expired {
            throw SimError.badRequest(
                code: "Directory_ExpiredPageToken",
                message: "The specified page token value has expired and can no longer be included in your request.")
        } catch {
            throw SimError.badRequest(code: "Request_BadRequest", message: "Invalid value specified for property 'skiptoken'.")
        }
    }

    func nextLink(_ request: Request, _ query: [String: String], _ position: CursorCodec.Position) -> String {
        var kept = query.filter { $0.key != "$skiptoken" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        kept.append(("$skiptoken", state.cursors.encode(position)))
        let text = kept.map { "\($0.0.hasPrefix("$") ? $0.0 : SimHTTP.escape($0.0))=\(SimHTTP.escape($0.1))" }.joined(separator: "&")
        return "\(http.baseURL(request))\(request.uri.path)?\(text)"
    }

    private func users(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let top = Int(query["$top"] ?? "100") ?? 0
        guard (1...999).contains(top) else {
            throw SimError.badRequest(
                code: "Request_UnsupportedQuery", message: "Invalid page size specified: '\(top)'. Must be between 1 and 999 inclusive.")
        }
        let start = try position(query, token: token, listing: "graph.users")
        let selected = query["$select"].map { Set($0.split(separator: ",").map { String($0) }) } ?? Set(Self.defaultFields)
        let (tenantDomain, directory) = state.store.withLock {
            ($0.organizations[token.organization]?.domain ?? "", $0.organizations[token.organization]?.directory(.teams) ?? SimPlatformDirectory())
        }
        // Graph may answer a page with no items while more follow: the second page is first served empty.
        if start.offset > 0 && start.flag == 0 && start.offset <= top {
            var again = start
            again.flag = 1
            return SimHTTP.json(GraphPage(context: "users", value: [GraphWireUser](), nextLink: nextLink(request, query, again)))
        }
        let (accounts, next) = directory.page(from: start.offset, limit: top)
        let users = accounts.map { GraphWireUser(account: $0, domain: tenantDomain, selected: selected) }
        let link = next.map { nextLink(request, query, .init(organization: token.organization, listing: "graph.users", offset: $0)) }
        return SimHTTP.json(GraphPage(context: "users", value: users, nextLink: link))
    }

    private func deleteUser(_ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let id = SimHTTP.param(context, "id") ?? ""
        let deleted =
            state.withOrganization(token.organization) { organization -> Bool in
                guard let index = organization.directories[.teams]?.accountIndex[id],
                    organization.directories[.teams]?.accounts[index].removed == false
                else { return false }
                // A deleted user leaves its groups, as the group delta query then reports.
                organization.setTeamsAccountRemoved(index, removed: true)
                return true
            } ?? false
        guard deleted else {
            throw SimError.notFound(
                code: "Request_ResourceNotFound",
                message: "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        state.store.withLock { store in
            for index in store.invitations.indices where store.invitations[index].userID == id { store.invitations[index].deleted = true }
        }
        return SimReply(status: .noContent, headers: [:], body: .init())
    }

    private func teams(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let top = min(max(Int(query["$top"] ?? "100") ?? 100, 1), 999)
        let start = try position(query, token: token, listing: "graph.teams")
        let teams = state.store.withLock { $0.organizations[token.organization]?.directory(.teams).teams } ?? []
        let slice = teams.dropFirst(start.offset).prefix(top)
        let value: [AnyCodable] = slice.map {
            .object(["id": .string($0.id), "displayName": .string($0.name), "description": .string($0.description)])
        }
        let end = start.offset + slice.count
        let link = end < teams.count ? nextLink(request, query, .init(organization: token.organization, listing: "graph.teams", offset: end)) : nil
        return SimHTTP.json(GraphPage(context: "teams", value: value, nextLink: link))
    }

    /// Entra groups: every team is a Microsoft 365 group with the same id. Supports `$top`,
    /// paging, and `$filter=startswith(displayName,'…')` (case-insensitive, as Graph compares).
    private func groups(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let top = min(max(Int(query["$top"] ?? "100") ?? 100, 1), 999)
        var prefix: String?
        if let filter = query["$filter"] {
            let opening = "startswith(displayName,'"
            guard filter.hasPrefix(opening), filter.hasSuffix("')") else {
                throw SimError.badRequest(
                    code: "Request_UnsupportedQuery", message: "Unsupported or invalid query filter clause specified for property 'displayName'.")
            }
            prefix = String(filter.dropFirst(opening.count).dropLast(2)).replacingOccurrences(of: "''", with: "'").lowercased()
        }
        let listing = "graph.groups.\(prefix ?? "")"
        let start = try position(query, token: token, listing: listing)
        let groups = (state.store.withLock { $0.organizations[token.organization]?.directory(.teams).teams } ?? [])
            .filter { prefix.map($0.name.lowercased().hasPrefix) ?? true }
        let slice = groups.dropFirst(start.offset).prefix(top)
        let value: [AnyCodable] = slice.map {
            .object(["id": .string($0.id), "displayName": .string($0.name), "description": .string($0.description), "securityEnabled": .bool(false)])
        }
        let end = start.offset + slice.count
        let link = end < groups.count ? nextLink(request, query, .init(organization: token.organization, listing: listing, offset: end)) : nil
        return SimHTTP.json(GraphPage(context: "groups", value: value, nextLink: link))
    }

    private func members(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let teamID = SimHTTP.param(context, "id") ?? ""
        let listing = "graph.members.\(teamID)"
        let start = try position(query, token: token, listing: listing)
        let directory = state.store.withLock { $0.organizations[token.organization]?.directory(.teams) } ?? SimPlatformDirectory()
        guard let teamIndex = directory.teamIndex[teamID] else {
            throw SimError.notFound(code: "NotFound", message: "No team found with Group Id \(teamID)")
        }
        let members = directory.teams[teamIndex].members.map { directory.accounts[$0] }.filter { !$0.removed }
        let slice = members.dropFirst(start.offset).prefix(Self.membersPageSize)
        let value: [AnyCodable] = slice.map { account in
            .object([
                "@odata.type": "#microsoft.graph.aadUserConversationMember",
                "id": .string(Data("\(teamID)#\(account.id)".utf8).base64EncodedString()),
                "roles": .array(account.guest ? [.string("guest")] : []), "displayName": .string(account.displayName),
                "userId": .string(account.id),
                "email": .optional(account.mailIsNull ? nil : account.primaryEmail?.trimmingCharacters(in: .whitespaces)),
            ])
        }
        let end = start.offset + slice.count
        let link = end < members.count ? nextLink(request, query, .init(organization: token.organization, listing: listing, offset: end)) : nil
        return SimHTTP.json(GraphPage(context: "teams('\(teamID)')/members", value: value, nextLink: link))
    }

    // MARK: Guests

    private func invite(_ request: Request, _ token: SimToken) async throws -> SimReply {
        guard let body = await SimHTTP.jsonBody(request), let email = body["invitedUserEmailAddress"] as? String,
            email.contains("@"), let redirect = body["inviteRedirectUrl"] as? String
        else {
            throw SimError.badRequest(code: "BadRequest", message: "invitedUserEmailAddress and inviteRedirectUrl are required.")
        }
        let displayName = body["invitedUserDisplayName"] as? String ?? email
        let userID = UUID().uuidString.lowercased()
        let invitationID = UUID().uuidString.lowercased()
        let created =
            state.withOrganization(token.organization) { organization -> Bool in
                if organization.directories[.teams]?.find(login: email) != nil { return false }
                var guest = SimAccount(id: userID, emails: [email], firstName: "", lastName: "", displayName: displayName)
                guest.guest = true
                organization.directories[.teams]?.append(guest)
                return true
            } ?? false
        guard created else {
            throw SimError.badRequest(code: "BadRequest", message: "The invited user already exists in the directory as a member.")
        }
        state.store.withLock {
            $0.invitations.append(
                SimInvitation(
                    organization: token.organization, id: invitationID, email: email, displayName: displayName, userID: userID,
                    redirectURL: redirect, deleted: false))
        }
        return SimHTTP.json(
            [
                "id": .string(invitationID), "inviteRedeemUrl": .string("\(http.baseURL(request))/login/redeem?id=\(invitationID)"),
                "invitedUserDisplayName": .string(displayName), "invitedUserEmailAddress": .string(email), "inviteRedirectUrl": .string(redirect),
                "sendInvitationMessage": .bool(body["sendInvitationMessage"] as? Bool ?? false), "status": "PendingAcceptance",
                "invitedUser": .object(["id": .string(userID)]),
            ] as [String: AnyCodable], status: .created)
    }

    // MARK: Bot messages

    private static func appID(fromFilter filter: String?) -> String? {
        guard let filter, let open = filter.firstIndex(of: "'"), let close = filter.lastIndex(of: "'"), open < close else { return nil }
        return String(filter[filter.index(after: open)..<close])
    }

    private func knownUser(_ context: BasicRequestContext, _ token: SimToken) throws -> (id: String, appID: String) {
        let id = SimHTTP.param(context, "id") ?? ""
        let found = state.store.withLock { store -> String? in
            guard let organization = store.organizations[token.organization], organization.directory(.teams).account(id) != nil else { return nil }
            return organization.credentials.teams.teamsAppID
        }
        guard let appID = found else { throw SimError.notFound(code: "NotFound", message: "User '\(id)' was not found.") }
        return (id, appID)
    }

    private func installedApps(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let (userID, appID) = try knownUser(context, token)
        let wanted = Self.appID(fromFilter: SimHTTP.query(request)["$filter"])
        let installation = state.store.withLock { $0.organizations[token.organization]?.installations[userID] }
        let value: [AnyCodable] =
            installation.flatMap { id in
                wanted == nil || wanted == appID
                    ? [
                        .object([
                            "id": .string(id),
                            "teamsApp": .object(["id": .string(appID), "displayName": "UserSync", "distributionMethod": "organization"]),
                        ])
                    ] : nil
            } ?? []
        return SimHTTP.json(GraphPage(context: "users('\(userID)')/teamwork/installedApps", value: value, nextLink: nil))
    }

    private func install(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) async throws -> SimReply {
        let (userID, appID) = try knownUser(context, token)
        guard let bind = await SimHTTP.jsonBody(request)?["teamsApp@odata.bind"] as? String, bind.hasSuffix("/teamsApps/\(appID)") else {
            throw SimError.notFound(code: "NotFound", message: "The app is not in the organization's catalog.")
        }
        let installed =
            state.withOrganization(token.organization) { organization -> Bool in
                if organization.installations[userID] != nil { return false }
                organization.installations[userID] = "inst-" + String(stableHash(userID + appID), radix: 16)
                return true
            } ?? false
        guard installed else { throw SimError.conflict(code: "Conflict", message: "The app is already installed for the user.") }
        return SimReply(status: .created, headers: [:], body: .init())
    }

    private func chat(_ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let (userID, appID) = try knownUser(context, token)
        let installation = state.store.withLock { $0.organizations[token.organization]?.installations[userID] }
        guard let installation, installation == SimHTTP.param(context, "installation") else {
            throw SimError.notFound(code: "NotFound", message: "The installation was not found.")
        }
        return SimHTTP.json(["id": .string("19:\(userID)_\(appID)@unq.gbl.spaces"), "chatType": "oneOnOne"] as [String: AnyCodable])
    }

    private func activity(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) async throws -> SimReply {
        let conversation = SimHTTP.param(context, "conversation") ?? ""
        guard conversation.hasPrefix("19:"), let underscore = conversation.firstIndex(of: "_") else {
            throw SimError.notFound(code: "ConversationNotFound", message: "Conversation not found.")
        }
        let userID = String(conversation[conversation.index(conversation.startIndex, offsetBy: 3)..<underscore])
        let account = state.store.withLock { $0.organizations[token.organization]?.directory(.teams).account(userID) }
        guard let account, state.store.withLock({ $0.organizations[token.organization]?.installations[userID] }) != nil else {
            throw SimError.notFound(code: "ConversationNotFound", message: "Conversation not found.")
        }
        guard account.active else {
            throw SimError.forbidden(code: "Forbidden", message: "The bot is not allowed to message this user (subCode MessageWritesBlocked).")
        }
        let body = await SimHTTP.jsonBody(request)
        let text = body?["text"] as? String ?? ""
        let attachments =
            (try? JSONSerialization.data(withJSONObject: body?["attachments"] ?? [])).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        state.store.withLock {
            $0.messages.append(
                SimMessage(
                    organization: token.organization, platform: .teams, to: userID, text: text,
                    link: firstLink(in: attachments.replacingOccurrences(of: "\\/", with: "/")) ?? firstLink(in: text), at: Date()))
        }
        return SimHTTP.json(["id": .string("1:\(UUID().uuidString.lowercased())")] as [String: AnyCodable], status: .created)
    }
}

struct GraphPage<Value: Encodable>: Encodable {
    var context: String
    var value: [Value]
    var nextLink: String?

    enum CodingKeys: String, CodingKey {
        case context = "@odata.context"
        case nextLink = "@odata.nextLink"
        case value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("https://graph.microsoft.com/v1.0/$metadata#\(context)", forKey: .context)
        try container.encodeIfPresent(nextLink, forKey: .nextLink)
        try container.encode(value, forKey: .value)
    }
}

/// A Graph user with only the `$select`ed properties, `null` where Graph has no value.
struct GraphWireUser: Encodable {
    let account: SimAccount
    let domain: String
    let selected: Set<String>
    /// Set where a listing mixes directory object types (group members).
    var odataType: String? = nil

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let email = account.primaryEmail?.trimmingCharacters(in: .whitespaces)
        // Guests have `#EXT#` UPNs; members' UPNs are their address, except that some tenants sign
        // people in with a UPN that is no mailbox (every fifth member here, when `mail` is set).
        if let odataType { try container.encode(odataType, forKey: Key(stringValue: "@odata.type")) }
        let upn =
            account.guest
            ? "\((email ?? account.id).replacingOccurrences(of: "@", with: "_"))#EXT#@\(domain)"
            : !account.mailIsNull && account.id.utf8.reduce(0, { $0 &+ Int($1) }) % 5 == 0
                ? "\(account.id.lowercased())@\(domain)"
                : (email?.lowercased() ?? "\(account.id)@\(domain)")
        func put(_ key: String, _ value: String?) throws {
            guard selected.contains(key) else { return }
            if let value {
                try container.encode(value, forKey: Key(stringValue: key))
            } else {
                try container.encodeNil(forKey: Key(stringValue: key))
            }
        }
        try put("id", account.id)
        try put("displayName", account.displayName)
        try put("givenName", account.firstName.isEmpty ? nil : account.firstName)
        try put("surname", account.lastName.isEmpty ? nil : account.lastName)
        try put("mail", account.mailIsNull ? nil : email)
        try put("userPrincipalName", upn)
        try put("jobTitle", nil)
        try put("mobilePhone", nil)
        try put("officeLocation", nil)
        try put("preferredLanguage", nil)
        if selected.contains("businessPhones") { try container.encode([String](), forKey: Key(stringValue: "businessPhones")) }
        if selected.contains("otherMails") {
            try container.encode(account.guest ? [email].compactMap { $0 } : [], forKey: Key(stringValue: "otherMails"))
        }
        if selected.contains("accountEnabled") { try container.encode(account.active, forKey: Key(stringValue: "accountEnabled")) }
        if selected.contains("userType") { try container.encode(account.guest ? "Guest" : "Member", forKey: Key(stringValue: "userType")) }
    }
}
