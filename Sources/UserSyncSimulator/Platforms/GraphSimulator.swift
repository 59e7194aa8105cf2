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
        registerBotActivities(router)
        registerChats(router)
        BotFrameworkOpenID(http: http).register(router)
    }

    func route(
        _ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath, _ endpoint: String,
        kinds: Set<SimToken.Kind> = [.app],
        _ handler: @escaping @Sendable (Request, BasicRequestContext, SimToken) async throws -> SimReply
    ) {
        http.route(router, .teams, method, path, endpoint, kinds: kinds, render: Self.render, handler)
    }
}
