import Foundation
import NIOHTTP1
import UserSyncDomain

/// Microsoft Teams through Graph (app-only client credentials) and the Bot Framework
/// (platform-apis.md §2).
public struct TeamsConnector: DirectoryGroupListing {
    public var platform: Platform { .teams }

    let credentials: ConnectionCredentials.Teams
    let endpoints: PlatformEndpoints
    let http: PlatformHTTP
    let settings: ConnectorSettings
    let graphTokens: AppTokenCache
    let botTokens: AppTokenCache
    /// The chats the relay posts into, shared by the connection's connectors.
    var conversations = DirectConversations()

    static let userFields = "id,displayName,givenName,surname,mail,userPrincipalName,otherMails,accountEnabled,userType"
    static let defaultBotServiceURL = "https://smba.trafficmanager.net/teams/"

    // MARK: Tokens

    private func tokenURL(_ tenant: String) -> String {
        "\(endpoints.auth)/\(FormEncoding.escape(tenant))/oauth2/v2.0/token"
    }

    var fetchGraphToken: AppTokenCache.Fetch {
        { [self] () async throws(PlatformFailure) in
            let request = PlatformRequest.form(
                tokenURL(credentials.tenantID), endpoint: "token",
                fields: [
                    ("client_id", credentials.clientID), ("client_secret", credentials.clientSecret),
                    ("scope", "https://graph.microsoft.com/.default"), ("grant_type", "client_credentials"),
                ], authorization: nil)
            return appToken(try await http.sendJSON(request, as: IdentityToken.self), now: settings.now())
        }
    }

    var fetchBotToken: AppTokenCache.Fetch {
        { [self] () async throws(PlatformFailure) in
            let request = PlatformRequest.form(
                tokenURL("botframework.com"), endpoint: "bot.token",
                fields: [
                    ("client_id", credentials.botAppID ?? credentials.clientID),
                    ("client_secret", credentials.botAppSecret ?? credentials.clientSecret),
                    ("scope", "https://api.botframework.com/.default"), ("grant_type", "client_credentials"),
                ], authorization: nil)
            return appToken(try await http.sendJSON(request, as: IdentityToken.self), now: settings.now())
        }
    }

    func graph<T: Decodable>(_ url: String, endpoint: String, as type: T.Type) async throws(PlatformFailure) -> T {
        try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
            try await http.sendJSON(.get(url, endpoint: endpoint, bearer: token), as: type)
        }
    }

    /// A Graph collection: the first URL, then each `@odata.nextLink` verbatim until there is none.
    private func collection<T: Decodable & Sendable, Item: Sendable>(
        first: String, endpoint: String, of type: T.Type, map: @escaping @Sendable ([T]) -> [Item]
    ) -> PageSequence<Item> {
        PageSequence(.teams) { cursor async throws(PlatformFailure) in
            if let cursor { try endpoints.requireOwn(cursor, platform: .teams, endpoint: endpoint) }
            let page = try await graph(cursor ?? first, endpoint: endpoint, as: GraphCollection<T>.self)
            return .init(items: map(page.value), next: page.nextLink)
        }
    }

    // MARK: PlatformConnector

    public func verifyCredentials() async throws(PlatformFailure) -> ConnectedIdentity {
        let page = try await graph(
            "\(endpoints.api)/organization?$select=id,displayName", endpoint: "organization",
            as: GraphCollection<GraphOrganization>.self)
        guard let organization = page.value.first else {
            throw PlatformFailure(.malformedResponse, platform: .teams, message: "Graph returned no organization for the tenant")
        }
        return ConnectedIdentity(workspaceID: organization.id, workspaceName: organization.displayName)
    }

    public func users() -> PageSequence<PlatformAccount> {
        let top = settings.pageSize(for: .teams)
        return collection(
            first: "\(endpoints.api)/users?$select=\(Self.userFields)&$top=\(top)", endpoint: "users", of: GraphUser.self
        ) { $0.map(Self.account) }
    }

    static func account(_ user: GraphUser) -> PlatformAccount {
        let isGuest = user.userType?.caseInsensitiveCompare("Guest") == .orderedSame
        var emails: [String] = []
        // `mail`, else the UPN: a UPN need not be a mailbox, so it only stands in when there is no
        // `mail`; a guest's UPN (`…#EXT#@tenant`) is never an address.
        if let mail = nonEmpty(user.mail) {
            emails.append(mail)
        } else if let upn = nonEmpty(user.userPrincipalName), !upn.contains("#EXT#") {
            emails.append(upn)
        }
        for other in user.otherMails ?? [] where nonEmpty(other) != nil { emails.append(other) }
        var seen = Set<String>()
        emails = emails.filter { seen.insert($0.lowercased()).inserted }
        let realName = [user.givenName, user.surname].compactMap { nonEmpty($0) }.joined(separator: " ")
        return PlatformAccount(
            platformUserID: user.id, emails: emails, displayName: nonEmpty(user.displayName),
            realName: realName.isEmpty ? nil : realName,
            isActive: user.accountEnabled ?? true, isBot: false, isGuest: isGuest)
    }

    public func teams() -> PageSequence<PlatformTeam> {
        collection(
            first: "\(endpoints.api)/teams?$select=id,displayName,description&$top=\(settings.pageSize(for: .teams))",
            endpoint: "teams", of: GraphTeam.self
        ) { teams in
            teams.map {
                PlatformTeam(platformTeamID: $0.id, name: $0.displayName ?? $0.id, description: nonEmpty($0.description), memberCount: nil)
            }
        }
    }

    /// Entra groups for Auto Sync's picker: `GET /groups`, filtered with
    /// `startswith(displayName,'…')` (quotes doubled, as OData escapes them).
    public func directoryGroups(startingWith prefix: String?) -> PageSequence<PlatformDirectoryGroup> {
        var query = [("$select", "id,displayName,description"), ("$top", String(settings.pageSize(for: .teams)))]
        if let prefix, !prefix.isEmpty {
            query.append(("$filter", "startswith(displayName,'\(prefix.replacingOccurrences(of: "'", with: "''"))')"))
        }
        return collection(first: FormEncoding.url("\(endpoints.api)/groups", query), endpoint: "groups", of: GraphTeam.self) { groups in
            groups.map { PlatformDirectoryGroup(id: $0.id, displayName: $0.displayName ?? $0.id, description: nonEmpty($0.description)) }
        }
    }

    /// The directory roles the user holds, directly or through groups
    /// (`transitiveMemberOf/microsoft.graph.directoryRole`, application permission `User.Read.All`),
    /// compared by template id with ``ConnectorSettings/adminRoleTemplateIDs``.
    public func isAdministrator(platformUserID: String) async throws(PlatformFailure) -> Bool {
        let first = FormEncoding.url(
            "\(endpoints.api)/users/\(FormEncoding.escape(platformUserID))/transitiveMemberOf/microsoft.graph.directoryRole",
            [("$select", "id,displayName,roleTemplateId")])
        let roles = collection(first: first, endpoint: "GET /users/{id}/transitiveMemberOf/directoryRole", of: GraphDirectoryRole.self) { $0 }
        for try await page in roles {
            if page.contains(where: { $0.roleTemplateId.map { settings.adminRoleTemplateIDs.contains($0.lowercased()) } ?? false }) {
                return true
            }
        }
        return false
    }

    public func teamMembers(teamID: String) -> PageSequence<PlatformTeamMember> {
        collection(
            first: "\(endpoints.api)/teams/\(FormEncoding.escape(teamID))/members", endpoint: "team.members",
            of: GraphConversationMember.self
        ) { members in
            members.compactMap { member in
                guard let userID = member.userId,
                    member.odataType == nil || member.odataType == "#microsoft.graph.aadUserConversationMember"
                else { return nil }
                return PlatformTeamMember(platformUserID: userID, email: nonEmpty(member.email), displayName: member.displayName)
            }
        }
    }

    public func sendDirectMessage(to platformUserID: String, _ message: DirectMessage) async throws(PlatformFailure) -> DeliveredMessage {
        guard let teamsAppID = credentials.teamsAppID else {
            throw PlatformFailure(
                .notSupported, platform: .teams,
                message: "this Teams connection has no Teams app id, so its bot cannot message people")
        }
        let chatID = try await chatWithBot(user: platformUserID, teamsAppID: teamsAppID)
        let activity = BotActivity(
            text: message.plainText,
            attachments: [
                .init(
                    content: .init(
                        title: message.title, text: message.text, buttons: [.init(title: message.linkLabel, value: message.linkURL)]))
            ])
        let response = try await withAppToken(botTokens, fetch: fetchBotToken) { token async throws(PlatformFailure) in
            let request = PlatformRequest.json(
                botServiceBase + "v3/conversations/\(FormEncoding.escape(chatID))/activities", endpoint: "bot.activities",
                body: activity, bearer: token)
            return try await http.sendJSON(request, as: BotResourceResponse.self)
        }
        return DeliveredMessage(platformMessageID: response.id)
    }

    /// The Bot Connector base URL, ending in `/`.
    var botServiceBase: String {
        let service = credentials.botServiceURL ?? Self.defaultBotServiceURL
        return service.hasSuffix("/") ? service : service + "/"
    }

    /// The 1:1 chat between the user and the app's bot, installing the app for the user if needed.
    func chatWithBot(user: String, teamsAppID: String) async throws(PlatformFailure) -> String {
        let apps = "\(endpoints.api)/users/\(FormEncoding.escape(user))/teamwork/installedApps"
        let lookup = apps + "?$expand=teamsApp&$filter=" + FormEncoding.escape("teamsApp/id eq '\(teamsAppID)'")
        var installed = try await graph(lookup, endpoint: "installedApps", as: GraphCollection<GraphInstalledApp>.self).value
        if installed.isEmpty {
            let body = GraphInstallAppBody(teamsAppBind: "\(endpoints.api)/appCatalogs/teamsApps/\(teamsAppID)")
            do {
                try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
                    var request = PlatformRequest.json(apps, endpoint: "installedApps.install", body: body, bearer: token)
                    request.idempotent = true  // installing twice is refused with 409, never duplicated
                    try await http.send(request) { _ throws(PlatformFailure) in () }
                }
            } catch  where error.httpStatus == 409 {
                // Installed meanwhile (a concurrent prompt, or our own earlier attempt): look it up again.
            }
            installed = try await graph(lookup, endpoint: "installedApps", as: GraphCollection<GraphInstalledApp>.self).value
        }
        guard let installation = installed.first else {
            throw PlatformFailure(.targetUnavailable, platform: .teams, message: "the Teams app could not be installed for the user")
        }
        return try await graph(
            "\(apps)/\(FormEncoding.escape(installation.id))/chat", endpoint: "installedApps.chat", as: GraphChat.self
        ).id
    }

    public func createVirtualAccount(_ request: VirtualAccountRequest) async throws(PlatformFailure) -> VirtualAccount {
        let body = GraphInvitationBody(
            invitedUserEmailAddress: request.email, invitedUserDisplayName: request.displayName,
            inviteRedirectUrl: request.redirectURL, sendInvitationMessage: true)
        let invitation = try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
            try await http.sendJSON(
                .json("\(endpoints.api)/invitations", endpoint: "invitations", body: body, bearer: token), as: GraphInvitation.self)
        }
        guard let userID = invitation.invitedUser?.id else {
            throw PlatformFailure(.malformedResponse, platform: .teams, message: "the invitation returned no invited user")
        }
        return VirtualAccount(kind: .guest, platformUserID: userID, redeemURL: invitation.inviteRedeemUrl)
    }

    public func deleteVirtualAccount(_ account: VirtualAccount) async throws(PlatformFailure) {
        guard account.kind == .guest, let userID = account.platformUserID else { return }
        do {
            try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
                var request = PlatformRequest.get("\(endpoints.api)/users/\(FormEncoding.escape(userID))", endpoint: "user.delete", bearer: token)
                request.method = .DELETE
                try await http.send(request) { _ throws(PlatformFailure) in () }
            }
        } catch  where error.cause == .targetNotFound {
            return  // already gone
        }
    }

    // MARK: People's consent (authorization code, delegated scopes)

    public func authorizeURL(_ request: ConsentRequest) throws(PlatformFailure) -> String {
        var query = [
            ("client_id", credentials.clientID), ("response_type", "code"), ("redirect_uri", request.redirectURI),
            ("response_mode", "query"), ("scope", settings.consentScopes[.teams] ?? ""), ("state", request.state),
        ]
        if let hint = request.loginHint { query.append(("login_hint", hint)) }
        return FormEncoding.url("\(endpoints.auth)/\(FormEncoding.escape(credentials.tenantID))/oauth2/v2.0/authorize", query)
    }

    public func exchangeCode(_ code: String, redirectURI: String) async throws(PlatformFailure) -> UserTokens {
        let body = try await userTokenRequest([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
        ])
        let me = try await http.sendJSON(
            .get("\(endpoints.api)/me?$select=id", endpoint: "me", bearer: body.access_token, credential: .user), as: GraphMe.self)
        return userTokens(body, platformUserID: me.id, previous: nil, now: settings.now())
    }

    public func verifyUserTokens(_ tokens: UserTokens) async throws(PlatformFailure) -> String {
        try await http.sendJSON(
            .get("\(endpoints.api)/me?$select=id", endpoint: "me", bearer: tokens.accessToken, credential: .user), as: GraphMe.self
        ).id
    }

    public func refresh(_ tokens: UserTokens) async throws(PlatformFailure) -> UserTokens {
        guard let refreshToken = tokens.refreshToken else {
            throw PlatformFailure(.userAuthorizationRejected, platform: .teams, message: "the Teams user token cannot be refreshed")
        }
        let body = try await userTokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
        return userTokens(body, platformUserID: nil, previous: tokens, now: settings.now())
    }

    private func userTokenRequest(_ fields: [(String, String)]) async throws(PlatformFailure) -> IdentityToken {
        let request = PlatformRequest.form(
            tokenURL(credentials.tenantID), endpoint: "token",
            fields: [
                ("client_id", credentials.clientID), ("client_secret", credentials.clientSecret),
                ("scope", settings.consentScopes[.teams] ?? ""),
            ] + fields,
            authorization: nil, credential: .user, idempotent: false)
        return try await http.sendJSON(request, as: IdentityToken.self)
    }

    /// Microsoft offers no revocation of one app's delegated tokens for a user short of signing them
    /// out everywhere (`revokeSignInSessions`), which is not ours to do: the service forgets the tokens.
    public func revoke(_ tokens: UserTokens) async throws(PlatformFailure) -> RevocationOutcome {
        .notSupportedUpstream
    }
}
