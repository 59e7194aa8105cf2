import Foundation
import NIOHTTP1
import UserSyncDomain

/// Zoom with a Server-to-Server OAuth app for the directory and a Team Chat app (chatbot) for
/// direct messages (platform-apis.md §3).
public struct ZoomConnector: PlatformConnector {
    public var platform: Platform { .zoom }

    let credentials: ConnectionCredentials.Zoom
    let endpoints: PlatformEndpoints
    let http: PlatformHTTP
    let settings: ConnectorSettings
    let accountTokens: AppTokenCache
    let chatbotTokens: AppTokenCache

    private var tokenURL: String { "\(endpoints.auth)/oauth/token" }
    private var chatbotClient: (id: String, secret: String) {
        (credentials.chatbotClientID ?? credentials.clientID, credentials.chatbotClientSecret ?? credentials.clientSecret)
    }
    private var consentClient: (id: String, secret: String) {
        (credentials.consentClientID ?? chatbotClient.id, credentials.consentClientSecret ?? chatbotClient.secret)
    }

    private var fetchAccountToken: AppTokenCache.Fetch {
        { [self] () async throws(PlatformFailure) in
            let request = PlatformRequest.form(
                tokenURL, endpoint: "token", fields: [("grant_type", "account_credentials"), ("account_id", credentials.accountID)],
                authorization: FormEncoding.basic(credentials.clientID, credentials.clientSecret))
            return appToken(try await http.sendJSON(request, as: IdentityToken.self), now: settings.now())
        }
    }

    var fetchChatbotToken: AppTokenCache.Fetch {
        { [self] () async throws(PlatformFailure) in
            let request = PlatformRequest.form(
                tokenURL, endpoint: "chatbot.token", fields: [("grant_type", "client_credentials")],
                authorization: FormEncoding.basic(chatbotClient.id, chatbotClient.secret))
            return appToken(try await http.sendJSON(request, as: IdentityToken.self), now: settings.now())
        }
    }

    func api<T: Decodable>(_ url: String, endpoint: String, as type: T.Type) async throws(PlatformFailure) -> T {
        try await withAppToken(accountTokens, fetch: fetchAccountToken) { token async throws(PlatformFailure) in
            try await http.sendJSON(.get(url, endpoint: endpoint, bearer: token), as: type)
        }
    }

    // MARK: PlatformConnector

    public func verifyCredentials() async throws(PlatformFailure) -> ConnectedIdentity {
        // The token proves the app; listing one user proves it may read the directory.
        _ = try await api("\(endpoints.api)/users?status=active&page_size=1", endpoint: "users", as: ZoomUsersPage.self)
        return ConnectedIdentity(workspaceID: credentials.accountID, workspaceName: nil)
    }

    /// Active users, then inactive, then pending ones: Zoom returns users other than active ones
    /// only when asked by status.
    public func users() -> PageSequence<PlatformAccount> {
        let pageSize = settings.pageSize(for: .zoom)
        return PageSequence(.zoom) { cursor async throws(PlatformFailure) in
            let (status, token) = Self.splitCursor(cursor)
            var query = [("status", status), ("page_size", String(pageSize))]
            if !token.isEmpty { query.append(("next_page_token", token)) }
            let page = try await api(FormEncoding.url("\(endpoints.api)/users", query), endpoint: "users", as: ZoomUsersPage.self)
            let accounts = (page.users ?? []).map { Self.account($0, listedAs: status) }
            let nextToken = page.next_page_token ?? ""
            let following = Self.statuses.firstIndex(of: status).map { $0 + 1 }.flatMap {
                Self.statuses.indices.contains($0) ? Self.statuses[$0] : nil
            }
            let next: String? = !nextToken.isEmpty ? "\(status)|\(nextToken)" : following.map { "\($0)|" }
            return .init(items: accounts, next: next)
        }
    }

    static let statuses = ["active", "inactive", "pending"]

    private static func splitCursor(_ cursor: String?) -> (status: String, token: String) {
        guard let cursor, let bar = cursor.firstIndex(of: "|") else { return ("active", "") }
        return (String(cursor[..<bar]), String(cursor[cursor.index(after: bar)...]))
    }

    static func account(_ user: ZoomUser, listedAs status: String) -> PlatformAccount {
        let realName = [user.first_name, user.last_name].compactMap { nonEmpty($0) }.joined(separator: " ")
        return PlatformAccount(
            platformUserID: user.id, emails: nonEmpty(user.email).map { [$0] } ?? [],
            displayName: nonEmpty(user.display_name) ?? (realName.isEmpty ? nil : realName),
            realName: realName.isEmpty ? nil : realName,
            isActive: (user.status ?? status) == "active", isBot: false, isGuest: false)
    }

    public func teams() -> PageSequence<PlatformTeam> {
        PageSequence.single(.zoom) { () async throws(PlatformFailure) in
            let body = try await api("\(endpoints.api)/groups", endpoint: "groups", as: ZoomGroups.self)
            return (body.groups ?? []).map {
                PlatformTeam(platformTeamID: $0.id, name: $0.name, description: nil, memberCount: $0.total_members)
            }
        }
    }

    public func teamMembers(teamID: String) -> PageSequence<PlatformTeamMember> {
        let pageSize = settings.pageSize(for: .zoom)
        return PageSequence(.zoom) { cursor async throws(PlatformFailure) in
            var query = [("page_size", String(pageSize))]
            if let cursor { query.append(("next_page_token", cursor)) }
            let url = FormEncoding.url("\(endpoints.api)/groups/\(FormEncoding.escape(teamID))/members", query)
            let page = try await api(url, endpoint: "group.members", as: ZoomGroupMembers.self)
            let members = (page.members ?? []).map { member in
                let name = [member.first_name, member.last_name].compactMap { nonEmpty($0) }.joined(separator: " ")
                return PlatformTeamMember(platformUserID: member.id, email: nonEmpty(member.email), displayName: name.isEmpty ? nil : name)
            }
            return .init(items: members, next: page.next_page_token.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    public func sendDirectMessage(to platformUserID: String, _ message: DirectMessage) async throws(PlatformFailure) -> DeliveredMessage {
        guard let robotJID = credentials.robotJID else {
            throw PlatformFailure(
                .notSupported, platform: .zoom, message: "this Zoom connection has no chatbot (robot JID), so it cannot message people")
        }
        // The list omits the JID a chat message needs; the single-user call has it.
        let user = try await api("\(endpoints.api)/users/\(FormEncoding.escape(platformUserID))", endpoint: "user", as: ZoomUserDetail.self)
        guard let jid = user.jid else {
            throw PlatformFailure(.malformedResponse, platform: .zoom, message: "Zoom returned no chat JID for the user")
        }
        let body = ZoomChatMessage(
            robot_jid: robotJID, to_jid: jid, account_id: credentials.accountID,
            content: .init(head: .init(text: message.title), body: [.init(type: "message", text: message.plainText)]))
        let response = try await withAppToken(chatbotTokens, fetch: fetchChatbotToken) { token async throws(PlatformFailure) in
            try await http.sendJSON(
                .json("\(endpoints.api)/im/chat/messages", endpoint: "chat.messages", body: body, bearer: token),
                as: ZoomChatMessageResponse.self)
        }
        return DeliveredMessage(platformMessageID: response.message_id)
    }

    public func createVirtualAccount(_ request: VirtualAccountRequest) async throws(PlatformFailure) -> VirtualAccount {
        throw PlatformFailure(
            .notSupported, platform: .zoom,
            message: "Zoom has no guest or bot-persona accounts: the person needs a Zoom account to be synced there")
    }

    public func deleteVirtualAccount(_ account: VirtualAccount) async throws(PlatformFailure) {}

    // MARK: People's consent (user-managed OAuth app)

    public func authorizeURL(_ request: ConsentRequest) throws(PlatformFailure) -> String {
        FormEncoding.url(
            "\(endpoints.auth)/oauth/authorize",
            [
                ("response_type", "code"), ("client_id", consentClient.id), ("redirect_uri", request.redirectURI), ("state", request.state),
            ])
    }

    public func exchangeCode(_ code: String, redirectURI: String) async throws(PlatformFailure) -> UserTokens {
        let body = try await userTokenRequest([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)])
        let me = try await http.sendJSON(
            .get("\(endpoints.api)/users/me", endpoint: "user", bearer: body.access_token, credential: .user), as: ZoomUserDetail.self)
        return userTokens(body, platformUserID: me.id, previous: nil, now: settings.now())
    }

    public func verifyUserTokens(_ tokens: UserTokens) async throws(PlatformFailure) -> String {
        try await http.sendJSON(
            .get("\(endpoints.api)/users/me", endpoint: "user", bearer: tokens.accessToken, credential: .user), as: ZoomUserDetail.self
        ).id
    }

    public func refresh(_ tokens: UserTokens) async throws(PlatformFailure) -> UserTokens {
        guard let refreshToken = tokens.refreshToken else {
            throw PlatformFailure(.userAuthorizationRejected, platform: .zoom, message: "the Zoom user token cannot be refreshed")
        }
        return userTokens(
            try await userTokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)]),
            platformUserID: nil, previous: tokens, now: settings.now())
    }

    private func userTokenRequest(_ fields: [(String, String)]) async throws(PlatformFailure) -> IdentityToken {
        let request = PlatformRequest.form(
            tokenURL, endpoint: "token", fields: fields, authorization: FormEncoding.basic(consentClient.id, consentClient.secret),
            credential: .user, idempotent: false)
        return try await http.sendJSON(request, as: IdentityToken.self)
    }

    public func revoke(_ tokens: UserTokens) async throws(PlatformFailure) -> RevocationOutcome {
        var request = PlatformRequest.form(
            "\(endpoints.auth)/oauth/revoke", endpoint: "revoke", fields: [("token", tokens.accessToken)],
            authorization: FormEncoding.basic(consentClient.id, consentClient.secret))
        request.credential = .user
        do {
            try await http.send(request) { _ throws(PlatformFailure) in () }
            return .revoked
        } catch  where error.cause == .userAuthorizationRejected {
            return .alreadyInvalid
        }
    }
}
