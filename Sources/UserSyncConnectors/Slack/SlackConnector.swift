import Foundation
import NIOHTTP1
import UserSyncDomain

/// Slack Web API with a bot token (platform-apis.md §1).
public struct SlackConnector: PlatformConnector {
    public var platform: Platform { .slack }

    let credentials: ConnectionCredentials.Slack
    let endpoints: PlatformEndpoints
    let http: PlatformHTTP
    let settings: ConnectorSettings
    /// The bot's own user id, shared by the connection's connectors.
    var botIdentity = BotIdentity()
    /// The DMs the relay posts into, shared by the connection's connectors.
    var conversations = DirectConversations()

    // MARK: Calls

    func url(_ method: String) -> String { "\(endpoints.api)/\(method)" }

    /// A Slack method call; an `ok:false` body becomes the matching failure.
    func call<T: SlackEnvelope>(
        _ method: String, query: [(String, String)] = [], as type: T.Type
    ) async throws(PlatformFailure) -> T {
        let request = PlatformRequest.get(FormEncoding.url(url(method), query), endpoint: method, bearer: credentials.botToken)
        return try await send(request, as: type)
    }

    func send<T: SlackEnvelope>(_ request: PlatformRequest, as type: T.Type) async throws(PlatformFailure) -> T {
        try await http.send(request) { response throws(PlatformFailure) in
            let body = try http.decodeJSON(type, response, request)
            guard body.ok else {
                throw SlackErrors.failure(
                    code: body.error ?? "unknown_error", needed: body.needed, request: request,
                    status: response.status, retryAt: RetryAfter.parse(response.headers))
            }
            return body
        }
    }

    private var teamQuery: [(String, String)] { credentials.teamID.map { [("team_id", $0)] } ?? [] }

    // MARK: PlatformConnector

    public func verifyCredentials() async throws(PlatformFailure) -> ConnectedIdentity {
        let body = try await call("auth.test", as: SlackAuthTest.self)
        guard let teamID = body.team_id else {
            throw PlatformFailure(.malformedResponse, platform: .slack, message: "auth.test returned no team_id")
        }
        return ConnectedIdentity(workspaceID: teamID, workspaceName: body.team)
    }

    public func users() -> PageSequence<PlatformAccount> {
        let limit = String(settings.pageSize(for: .slack))
        return PageSequence(.slack) { cursor async throws(PlatformFailure) in
            var query = [("limit", limit)] + teamQuery
            if let cursor { query.append(("cursor", cursor)) }
            let body = try await call("users.list", query: query, as: SlackUsersList.self)
            // An empty or missing cursor ends the listing; a short page does not.
            let next = body.response_metadata?.next_cursor.flatMap { $0.isEmpty ? nil : $0 }
            return .init(items: (body.members ?? []).map(Self.account), next: next)
        }
    }

    static func account(_ user: SlackUser) -> PlatformAccount {
        let email = user.profile?.email.flatMap { $0.isEmpty ? nil : $0 }
        return PlatformAccount(
            platformUserID: user.id,
            emails: email.map { [$0] } ?? [],
            displayName: nonEmpty(user.profile?.display_name) ?? nonEmpty(user.real_name),
            realName: nonEmpty(user.profile?.real_name) ?? nonEmpty(user.real_name),
            // Invited people who never joined cannot be messaged yet.
            isActive: !(user.deleted ?? false) && !(user.is_invited_user ?? false),
            // Slackbot is excluded by id: whether it is flagged is_bot is unconfirmed.
            isBot: (user.is_bot ?? false) || user.id == "USLACKBOT" || user.profile?.bot_id != nil,
            isGuest: (user.is_restricted ?? false) || (user.is_ultra_restricted ?? false))
    }

    /// `users.info` (scope `users:read`): admins, owners and the primary owner administer the workspace.
    public func isAdministrator(platformUserID: String) async throws(PlatformFailure) -> Bool {
        let body = try await call("users.info", query: [("user", platformUserID)], as: SlackUserInfo.self)
        guard let user = body.user, !(user.deleted ?? false) else { return false }
        return (user.is_admin ?? false) || (user.is_owner ?? false) || (user.is_primary_owner ?? false)
    }

    public func teams() -> PageSequence<PlatformTeam> {
        // usergroups.list is not paginated.
        PageSequence.single(.slack) { () async throws(PlatformFailure) in
            let body = try await call(
                "usergroups.list", query: [("include_count", "true"), ("include_disabled", "false")] + teamQuery,
                as: SlackUsergroupsList.self)
            return (body.usergroups ?? []).filter { ($0.date_delete ?? 0) == 0 }.map {
                PlatformTeam(platformTeamID: $0.id, name: $0.name, description: nonEmpty($0.description), memberCount: $0.user_count?.value)
            }
        }
    }

    public func teamMembers(teamID: String) -> PageSequence<PlatformTeamMember> {
        PageSequence.single(.slack) { () async throws(PlatformFailure) in
            let body = try await call(
                "usergroups.users.list", query: [("usergroup", teamID)] + teamQuery, as: SlackUsergroupUsers.self)
            return (body.users ?? []).map { PlatformTeamMember(platformUserID: $0, email: nil, displayName: nil) }
        }
    }

    public func sendDirectMessage(to platformUserID: String, _ message: DirectMessage) async throws(PlatformFailure) -> DeliveredMessage {
        let open = PlatformRequest.form(
            url("conversations.open"), endpoint: "conversations.open", fields: [("users", platformUserID)],
            authorization: "Bearer \(credentials.botToken)")
        let channel = try await send(open, as: SlackConversationsOpen.self).channel?.id
        guard let channel else {
            throw PlatformFailure(.malformedResponse, platform: .slack, message: "conversations.open returned no channel")
        }
        let body = SlackMessageBody(
            channel: channel, text: message.plainText,
            blocks: [
                .init(type: "section", text: .init(type: "mrkdwn", text: "*\(message.title)*\n\(message.text)")),
                .init(type: "actions", elements: [.init(text: .init(type: "plain_text", text: message.linkLabel), url: message.linkURL)]),
            ])
        let post = PlatformRequest.json(url("chat.postMessage"), endpoint: "chat.postMessage", body: body, bearer: credentials.botToken)
        return DeliveredMessage(platformMessageID: try await send(post, as: SlackPostMessage.self).ts)
    }

    public func createVirtualAccount(_ request: VirtualAccountRequest) async throws(PlatformFailure) -> VirtualAccount {
        // A bot persona: the app's bot posts on the person's behalf; nothing is created upstream.
        VirtualAccount(kind: .botPersona, platformUserID: nil, redeemURL: nil)
    }

    public func deleteVirtualAccount(_ account: VirtualAccount) async throws(PlatformFailure) {}

    // MARK: People's consent (OAuth v2, user scopes)

    private func client() throws(PlatformFailure) -> (id: String, secret: String) {
        guard let id = credentials.clientID, let secret = credentials.clientSecret else {
            throw PlatformFailure(
                .notSupported, platform: .slack,
                message: "this Slack connection has no OAuth client id and secret, so people cannot authorize it")
        }
        return (id, secret)
    }

    public func authorizeURL(_ request: ConsentRequest) throws(PlatformFailure) -> String {
        var query = [
            ("client_id", try client().id), ("user_scope", settings.consentScopes[.slack] ?? ""),
            ("redirect_uri", request.redirectURI), ("state", request.state),
        ]
        if let team = credentials.teamID { query.append(("team", team)) }
        return FormEncoding.url("\(endpoints.auth)/oauth/v2/authorize", query)
    }

    public func exchangeCode(_ code: String, redirectURI: String) async throws(PlatformFailure) -> UserTokens {
        let client = try client()
        return try await tokenRequest(
            [("code", code), ("redirect_uri", redirectURI), ("client_id", client.id), ("client_secret", client.secret)],
            previous: nil)
    }

    public func verifyUserTokens(_ tokens: UserTokens) async throws(PlatformFailure) -> String {
        let request = PlatformRequest.get(url("auth.test"), endpoint: "auth.test", bearer: tokens.accessToken, credential: .user)
        guard let user = try await send(request, as: SlackAuthTest.self).user_id else {
            throw PlatformFailure(.malformedResponse, platform: .slack, message: "auth.test returned no user_id")
        }
        return user
    }

    public func refresh(_ tokens: UserTokens) async throws(PlatformFailure) -> UserTokens {
        guard let refreshToken = tokens.refreshToken else {
            throw PlatformFailure(.userAuthorizationRejected, platform: .slack, message: "the Slack user token cannot be refreshed")
        }
        let client = try client()
        return try await tokenRequest(
            [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", client.id), ("client_secret", client.secret)],
            previous: tokens)
    }

    private func tokenRequest(_ fields: [(String, String)], previous: UserTokens?) async throws(PlatformFailure) -> UserTokens {
        let request = PlatformRequest.form(
            url("oauth.v2.access"), endpoint: "oauth.v2.access", fields: fields, authorization: nil, credential: .user,
            idempotent: false)
        let body = try await send(request, as: SlackOAuthAccess.self)
        // User tokens arrive under authed_user; a rotated user token may come back at the top level.
        let user = body.authed_user
        guard let access = user?.access_token ?? body.access_token else {
            throw PlatformFailure(.malformedResponse, platform: .slack, message: "oauth.v2.access returned no user token")
        }
        let expiresIn = user?.expires_in ?? body.expires_in
        return UserTokens(
            accessToken: access, refreshToken: user?.refresh_token ?? body.refresh_token ?? previous?.refreshToken,
            expiresAt: expiresIn.map { settings.now().addingTimeInterval(TimeInterval($0)) },
            scope: user?.scope ?? body.scope, platformUserID: user?.id ?? previous?.platformUserID)
    }

    public func revoke(_ tokens: UserTokens) async throws(PlatformFailure) -> RevocationOutcome {
        let request = PlatformRequest.get(url("auth.revoke"), endpoint: "auth.revoke", bearer: tokens.accessToken, credential: .user)
        do {
            _ = try await send(request, as: SlackAuthRevoke.self)
            return .revoked
        } catch  where error.cause == .userAuthorizationRejected {
            return .alreadyInvalid
        }
    }
}
