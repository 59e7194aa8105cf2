import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

/// Webex's REST API as platform-apis.md §4 describes it (served under `/webex/v1`): `{"items":[…]}`
/// lists paged with `Link: <…>; rel="next"`, errors with `message` and `trackingId`.
struct WebexSimulator: Sendable {
    let http: SimHTTP
    let oauth: SimOAuth
    var state: SimulatorState { http.state }

    static let maxPage = 1000

    func register(_ router: Router<BasicRequestContext>) {
        route(router, .get, "/webex/v1/people/me", "people.me", kinds: [.app, .bot, .user]) { _, _, token in try me(token) }
        route(router, .get, "/webex/v1/people", "people", kinds: [.app, .bot]) { request, _, token in try people(request, token) }
        route(router, .get, "/webex/v1/organizations/:id", "organizations") { _, context, token in
            let organization = state.store.withLock { $0.organizations[token.organization]?.credentials.webex }
            guard let organization, organization.orgID == SimHTTP.param(context, "id") else {
                throw SimError.notFound(code: "404", message: "Organization not found.")
            }
            return SimHTTP.json(
                ["id": .string(organization.orgID), "displayName": .string(organization.orgName), "created": "2020-01-01T00:00:00.000Z"]
                    as [String: AnyCodable])
        }
        route(router, .get, "/webex/v1/teams", "teams") { request, _, token in try teams(request, token) }
        route(router, .get, "/webex/v1/team/memberships", "team.memberships") { request, _, token in try memberships(request, token) }
        registerMessages(router)
        registerWebhooks(router)
        router.post("/webex/v1/access_token") { request, _ in
            let fields = await SimHTTP.fields(request)
            return try await http.serve(.webex, "access_token", render: Self.render) { try accessToken(fields) }
        }
        oauth.register(router, "/webex/v1/authorize") { fields, _ in authorization(fields) }
    }

    func route(
        _ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ endpoint: String,
        kinds: Set<SimToken.Kind> = [.app],
        _ handler: @escaping @Sendable (Request, BasicRequestContext, SimToken) async throws -> SimReply
    ) {
        http.route(router, .webex, method, path, endpoint, kinds: kinds, render: Self.render, handler)
    }

    static func render(_ error: SimError) -> SimReply {
        let tracking = "ROUTER_\(UUID().uuidString)"
        func reply(_ status: HTTPResponse.Status, _ message: String, _ extra: HTTPFields = [:]) -> SimReply {
            var headers = extra
            headers[HTTPField.Name("trackingId")!] = tracking
            return SimHTTP.json(
                [
                    "message": .string(message), "errors": .array([.object(["description": .string(message)])]), "trackingId": .string(tracking),
                ] as [String: AnyCodable], status: status, headers: headers)
        }
        switch error {
        case .rateLimited(let retryAfter):
            return reply(.tooManyRequests, "Too many requests have been sent in a given amount of time.", SimHTTP.retryAfterHeaders(retryAfter))
        case .unavailable(let status):
            return reply(.init(code: status), "The server is temporarily unavailable.")
        case .unauthorized:
            return reply(.unauthorized, "The request requires a valid access token set in the Authorization request header.")
        case .forbidden(_, let message):
            return reply(.forbidden, message)
        case .notFound(_, let message):
            return reply(.notFound, message)
        case .badRequest(_, let message):
            return reply(.badRequest, message)
        case .conflict(_, let message):
            return reply(.conflict, message)
        }
    }

    func organization(_ token: SimToken) throws -> SimOrganization {
        guard let organization = state.store.withLock({ $0.organizations[token.organization] }) else { throw SimError.unauthorized(.revoked) }
        return organization
    }

    private func me(_ token: SimToken) throws -> SimReply {
        let organization = try organization(token)
        let orgID = organization.credentials.webex.orgID
        switch token.kind {
        case .user:
            guard let account = organization.directory(.webex).account(token.userID ?? "") else {
                throw SimError.notFound(code: "404", message: "Person not found.")
            }
            return SimHTTP.json(WebexWirePerson(account, orgID: orgID))
        case .bot:
            return SimHTTP.json(
                [
                    "id": .string(WebexEvents.botPersonID), "emails": .array([.string(WebexEvents.botEmail)]), "displayName": "UserSync",
                    "orgId": .string(orgID), "type": "bot",
                ] as [String: AnyCodable])
        case .app:
            return SimHTTP.json(
                [
                    "id": "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9hZG1pbg", "emails": .array([.string("admin@\(organization.domain)")]),
                    "displayName": "Webex Admin", "orgId": .string(orgID), "type": "person", "roles": .array(["full_admin"]),
                ] as [String: AnyCodable])
        }
    }

    private func pageSize(_ query: [String: String]) throws -> Int {
        let size = Int(query["max"] ?? "100") ?? 0
        guard (1...Self.maxPage).contains(size) else { throw SimError.badRequest(code: "400", message: "max must be between 1 and \(Self.maxPage).") }
        return size
    }

    private func offset(_ query: [String: String], _ token: SimToken, listing: String) throws -> Int {
        guard let cursor = query["cursor"] else { return 0 }
        do { return try state.cursors.decode(cursor, organization: token.organization, listing: listing).offset } catch {
            throw SimError.badRequest(code: "400", message: "The cursor is invalid or has expired.")
        }
    }

    private func link(_ request: Request, _ fields: [(String, String)]) -> HTTPFields {
        let query = fields.map { "\($0.0)=\(SimHTTP.escape($0.1))" }.joined(separator: "&")
        return [HTTPField.Name("Link")!: "<\(http.baseURL(request))\(request.uri.path)?\(query)>; rel=\"next\""]
    }

    private func people(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        guard token.kind == .app || query["email"] != nil || query["displayName"] != nil else {
            throw SimError.badRequest(code: "400", message: "Email, displayName, or id list should be specified.")
        }
        let size = try pageSize(query)
        let organization = try organization(token)
        let directory = organization.directory(.webex)
        let start = try offset(query, token, listing: "webex.people")
        let wanted = query["email"].map(normalize)
        let (accounts, next) = directory.page(from: start, limit: size) { account in
            wanted == nil || account.emails.contains { normalize($0) == wanted }
        }
        var headers: HTTPFields = [:]
        if let next, wanted == nil {
            headers = link(
                request,
                [
                    ("max", String(size)),
                    ("cursor", state.cursors.encode(.init(organization: token.organization, listing: "webex.people", offset: next))),
                ])
        }
        let orgID = organization.credentials.webex.orgID
        return SimHTTP.json(WebexWireItems(items: accounts.map { WebexWirePerson($0, orgID: orgID) }), headers: headers)
    }

    private func teams(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let size = try pageSize(query)
        let teams = try organization(token).directory(.webex).teams
        let start = try offset(query, token, listing: "webex.teams")
        let slice = teams.dropFirst(start).prefix(size)
        let end = start + slice.count
        let headers =
            end < teams.count
            ? link(
                request,
                [
                    ("max", String(size)),
                    ("cursor", state.cursors.encode(.init(organization: token.organization, listing: "webex.teams", offset: end))),
                ])
            : [:]
        let items: [AnyCodable] = slice.map {
            .object([
                "id": .string($0.id), "name": .string($0.name), "creatorId": "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9hZG1pbg",
                "created": "2024-03-04T12:00:00.000Z",
            ])
        }
        return SimHTTP.json(["items": .array(items)] as [String: AnyCodable], headers: headers)
    }

    private func memberships(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let size = try pageSize(query)
        let teamID = query["teamId"] ?? ""
        let directory = try organization(token).directory(.webex)
        guard let teamIndex = directory.teamIndex[teamID] else { throw SimError.notFound(code: "404", message: "Team not found.") }
        let listing = "webex.memberships.\(teamID)"
        let members = directory.teams[teamIndex].members.map { directory.accounts[$0] }.filter { !$0.removed }
        let start = try offset(query, token, listing: listing)
        let slice = members.dropFirst(start).prefix(size)
        let end = start + slice.count
        let headers =
            end < members.count
            ? link(
                request,
                [
                    ("teamId", teamID), ("max", String(size)),
                    ("cursor", state.cursors.encode(.init(organization: token.organization, listing: listing, offset: end))),
                ])
            : [:]
        let items: [AnyCodable] = slice.map { account in
            .object([
                "id": .string(Data("\(teamID)#\(account.id)".utf8).base64EncodedString()), "teamId": .string(teamID), "personId": .string(account.id),
                "personEmail": .optional(account.primaryEmail), "personDisplayName": .string(account.displayName), "isModerator": false,
                "created": "2024-03-04T12:00:00.000Z",
            ])
        }
        return SimHTTP.json(["items": .array(items)] as [String: AnyCodable], headers: headers)
    }

    private func authorization(_ fields: [String: String]) -> SimOAuth.Authorization? {
        let clientID = fields["client_id"] ?? ""
        guard let organization = state.organization(where: { $0.credentials.webex.clientID == clientID }) else { return nil }
        return .init(
            platform: .webex, organization: organization.name, clientID: clientID, redirectURI: fields["redirect_uri"] ?? "",
            state: fields["state"], loginHint: fields["login_hint"])
    }

    private func accessToken(_ fields: [String: String]) throws -> SimReply {
        let clientID = fields["client_id"] ?? ""
        guard let organization = state.organization(where: { $0.credentials.webex.clientID == clientID }),
            organization.credentials.webex.clientSecret == fields["client_secret"], !organization.revoked.contains(.webex)
        else { throw SimError.unauthorized(.invalid) }
        let issued: SimOAuth.IssuedTokens
        switch fields["grant_type"] {
        case "authorization_code":
            guard
                case .success(let grant) = oauth.redeem(
                    code: fields["code"] ?? "", platform: .webex, clientID: clientID, redirectURI: fields["redirect_uri"])
            else { throw SimError.badRequest(code: "400", message: "Invalid authorization code.") }
            issued = oauth.issue(organization: grant.organization, platform: .webex, userID: grant.userID, clientID: clientID)
        case "refresh_token":
            // Webex keeps the same refresh token until it expires.
            guard case .success(let tokens) = oauth.refresh(fields["refresh_token"] ?? "", platform: .webex, clientID: clientID, rotate: false)
            else { throw SimError.badRequest(code: "400", message: "Invalid refresh token.") }
            issued = tokens
        default:
            throw SimError.badRequest(code: "400", message: "Unsupported grant_type.")
        }
        return SimHTTP.json(
            [
                "access_token": .string(issued.accessToken), "expires_in": .int(issued.expiresIn), "refresh_token": .string(issued.refreshToken),
                "refresh_token_expires_in": 7_776_000, "token_type": "Bearer",
            ] as [String: AnyCodable])
    }
}

struct WebexWireItems: Encodable {
    var items: [WebexWirePerson]
}

struct WebexWirePerson: Encodable {
    var id: String
    var emails: [String]
    var displayName: String
    var nickName: String?
    var firstName: String?
    var lastName: String?
    var orgId: String
    var created: String
    var status: String
    var invitePending: Bool
    var loginEnabled: Bool
    var type: String

    init(_ account: SimAccount, orgID: String) {
        id = account.id
        emails = account.emails
        displayName = account.displayName
        nickName = account.firstName.isEmpty ? nil : account.firstName
        firstName = account.firstName.isEmpty ? nil : account.firstName
        lastName = account.lastName.isEmpty ? nil : account.lastName
        self.orgId = orgID
        created = "2023-02-01T09:00:00.000Z"
        status = account.active ? "active" : "inactive"
        invitePending = account.pending
        loginEnabled = account.active
        type = account.bot ? "bot" : (account.guest ? "appuser" : "person")
    }
}
