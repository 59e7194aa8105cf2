import Foundation
import NIOHTTP1
import UserSyncDomain

/// Webex with an administrator token for the directory and a bot token for direct messages
/// (platform-apis.md §4).
public struct WebexConnector: PlatformConnector {
    public var platform: Platform { .webex }

    let credentials: ConnectionCredentials.Webex
    let endpoints: PlatformEndpoints
    let http: PlatformHTTP
    let settings: ConnectorSettings
    /// The bot's own person id, shared by the connection's connectors.
    var botIdentity = BotIdentity()

    func get<T: Decodable>(_ url: String, endpoint: String, bearer: String? = nil, as type: T.Type) async throws(PlatformFailure) -> T {
        try await http.sendJSON(.get(url, endpoint: endpoint, bearer: bearer ?? credentials.adminToken), as: type)
    }

    /// A Webex list: the first URL, then each `Link: <…>; rel="next"` target verbatim.
    private func list<T: Decodable & Sendable, Item: Sendable>(
        first: String, endpoint: String, of type: T.Type, map: @escaping @Sendable ([T]) -> [Item]
    ) -> PageSequence<Item> {
        PageSequence(.webex) { cursor async throws(PlatformFailure) in
            if let cursor { try endpoints.requireOwn(cursor, platform: .webex, endpoint: endpoint) }
            let request = PlatformRequest.get(cursor ?? first, endpoint: endpoint, bearer: credentials.adminToken)
            return try await http.send(request) { response throws(PlatformFailure) in
                let page = try http.decodeJSON(WebexItems<T>.self, response, request)
                return .init(items: map(page.items), next: LinkHeader.next(response.headers["Link"]))
            }
        }
    }

    // MARK: PlatformConnector

    public func verifyCredentials() async throws(PlatformFailure) -> ConnectedIdentity {
        let me = try await get("\(endpoints.api)/people/me", endpoint: "people.me", as: WebexPerson.self)
        if let botToken = credentials.botToken, botToken != credentials.adminToken {
            _ = try await get("\(endpoints.api)/people/me", endpoint: "people.me", bearer: botToken, as: WebexPerson.self)
        }
        guard let orgID = me.orgId else {
            throw PlatformFailure(.malformedResponse, platform: .webex, message: "people/me returned no orgId")
        }
        // The organization's name is a nicety: an admin token may not be allowed to read it.
        let name = try? await get(
            "\(endpoints.api)/organizations/\(FormEncoding.escape(orgID))", endpoint: "organizations", as: WebexOrganization.self
        ).displayName
        return ConnectedIdentity(workspaceID: orgID, workspaceName: name)
    }

    public func users() -> PageSequence<PlatformAccount> {
        list(first: "\(endpoints.api)/people?max=\(settings.pageSize(for: .webex))", endpoint: "people", of: WebexPerson.self) {
            $0.map(Self.account)
        }
    }

    static func account(_ person: WebexPerson) -> PlatformAccount {
        let realName = [person.firstName, person.lastName].compactMap { nonEmpty($0) }.joined(separator: " ")
        return PlatformAccount(
            platformUserID: person.id, emails: (person.emails ?? []).filter { nonEmpty($0) != nil },
            displayName: nonEmpty(person.displayName), realName: realName.isEmpty ? nil : realName,
            isActive: (person.loginEnabled ?? true) && !(person.invitePending ?? false), isBot: person.type == "bot",
            isGuest: person.type == "appuser")
    }

    public func teams() -> PageSequence<PlatformTeam> {
        list(first: "\(endpoints.api)/teams?max=\(settings.pageSize(for: .webex))", endpoint: "teams", of: WebexTeam.self) {
            $0.map { PlatformTeam(platformTeamID: $0.id, name: $0.name ?? $0.id, description: nil, memberCount: nil) }
        }
    }

    public func teamMembers(teamID: String) -> PageSequence<PlatformTeamMember> {
        let first = FormEncoding.url(
            "\(endpoints.api)/team/memberships", [("teamId", teamID), ("max", String(settings.pageSize(for: .webex)))])
        return list(first: first, endpoint: "team.memberships", of: WebexTeamMembership.self) {
            $0.map { PlatformTeamMember(platformUserID: $0.personId, email: nonEmpty($0.personEmail), displayName: $0.personDisplayName) }
        }
    }

    public func sendDirectMessage(to platformUserID: String, _ message: DirectMessage) async throws(PlatformFailure) -> DeliveredMessage {
        let body = WebexMessageBody(
            toPersonId: platformUserID, text: message.plainText,
            markdown: "**\(message.title)**\n\n\(message.text) [\(message.linkLabel)](\(message.linkURL))")
        let response = try await http.sendJSON(
            .json("\(endpoints.api)/messages", endpoint: "messages", body: body, bearer: credentials.botToken ?? credentials.adminToken),
            as: WebexMessage.self)
        return DeliveredMessage(platformMessageID: response.id)
    }

    public func createVirtualAccount(_ request: VirtualAccountRequest) async throws(PlatformFailure) -> VirtualAccount {
        // A bot persona: the app's bot posts on the person's behalf; nothing is created upstream.
        VirtualAccount(kind: .botPersona, platformUserID: nil, redeemURL: nil)
    }

    public func deleteVirtualAccount(_ account: VirtualAccount) async throws(PlatformFailure) {}

    // MARK: People's consent (integration, authorization code)

    private func client() throws(PlatformFailure) -> (id: String, secret: String) {
        guard let id = credentials.clientID, let secret = credentials.clientSecret else {
            throw PlatformFailure(
                .notSupported, platform: .webex,
                message: "this Webex connection has no integration client id and secret, so people cannot authorize it")
        }
        return (id, secret)
    }

    public func authorizeURL(_ request: ConsentRequest) throws(PlatformFailure) -> String {
        FormEncoding.url(
            "\(endpoints.auth)/authorize",
            [
                ("client_id", try client().id), ("response_type", "code"), ("redirect_uri", request.redirectURI),
                ("scope", settings.consentScopes[.webex] ?? "spark:all"), ("state", request.state),
            ])
    }

    public func exchangeCode(_ code: String, redirectURI: String) async throws(PlatformFailure) -> UserTokens {
        let body = try await tokenRequest([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)])
        let me = try await http.sendJSON(
            .get("\(endpoints.api)/people/me", endpoint: "people.me", bearer: body.access_token, credential: .user), as: WebexPerson.self)
        return userTokens(body, platformUserID: me.id, previous: nil, now: settings.now())
    }

    public func verifyUserTokens(_ tokens: UserTokens) async throws(PlatformFailure) -> String {
        try await http.sendJSON(
            .get("\(endpoints.api)/people/me", endpoint: "people.me", bearer: tokens.accessToken, credential: .user), as: WebexPerson.self
        ).id
    }

    public func refresh(_ tokens: UserTokens) async throws(PlatformFailure) -> UserTokens {
        guard let refreshToken = tokens.refreshToken else {
            throw PlatformFailure(.userAuthorizationRejected, platform: .webex, message: "the Webex user token cannot be refreshed")
        }
        return userTokens(
            try await tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)]),
            platformUserID: nil, previous: tokens, now: settings.now())
    }

    private func tokenRequest(_ fields: [(String, String)]) async throws(PlatformFailure) -> IdentityToken {
        let client = try client()
        let request = PlatformRequest.form(
            "\(endpoints.auth)/access_token", endpoint: "access_token",
            fields: fields + [("client_id", client.id), ("client_secret", client.secret)], authorization: nil,
            credential: .user, idempotent: false)
        return try await http.sendJSON(request, as: IdentityToken.self)
    }

    /// Webex documents no token revocation for integrations: the service forgets the tokens.
    public func revoke(_ tokens: UserTokens) async throws(PlatformFailure) -> RevocationOutcome {
        .notSupportedUpstream
    }
}
