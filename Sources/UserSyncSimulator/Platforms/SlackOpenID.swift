import Foundation
import Hummingbird
import UserSyncDomain

/// "Sign in with Slack" (OpenID Connect): discovery at `/slack/.well-known/openid-configuration`,
/// the authorize page, the keys, and the `openid.connect.token` / `openid.connect.userInfo` Web
/// API methods (dispatched by ``SlackSimulator``, so they answer, fail and count like the others).
struct SlackOpenID: Sendable {
    let http: SimHTTP
    let openID: SimOpenID
    var state: SimulatorState { http.state }

    func register(_ router: Router<BasicRequestContext>) {
        router.get("/slack/.well-known/openid-configuration") { request, _ in
            try await http.serve(.slack, "openid.configuration", render: SlackSimulator.render) { discovery(base: http.baseURL(request)) }
        }
        router.get("/slack/openid/connect/keys") { _, _ in
            try await http.serve(.slack, "openid.keys", render: SlackSimulator.render) { SimHTTP.json(state.signingKey.jwks) }
        }
        router.get("/slack/openid/connect/authorize") { request, _ in
            openID.authorize(signIn(SimHTTP.query(request)), formAction: request.uri.path).response
        }
        router.post("/slack/openid/connect/authorize") { request, _ in
            let fields = await SimHTTP.fields(request)
            return openID.answer(signIn(fields), fields: fields).response
        }
    }

    /// An authorize request; `team` narrows the sign-in to that workspace when it is one.
    private func signIn(_ fields: [String: String]) -> SimOpenID.SignIn {
        let team = fields["team"].flatMap { team in state.organization(where: { $0.credentials.slack.teamID == team })?.name }
        return SimOpenID.SignIn(provider: .slack, fields: fields, organization: team)
    }

    private func discovery(base: String) -> SimReply {
        let issuer = "\(base)/slack"
        return SimHTTP.json(
            [
                "issuer": .string(issuer), "authorization_endpoint": .string("\(issuer)/openid/connect/authorize"),
                "token_endpoint": .string("\(issuer)/api/openid.connect.token"),
                "userinfo_endpoint": .string("\(issuer)/api/openid.connect.userInfo"), "jwks_uri": .string("\(issuer)/openid/connect/keys"),
                "scopes_supported": ["openid", "profile", "email"], "response_types_supported": ["code"],
                "response_modes_supported": ["form_post"], "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": ["sub", "auth_time", "iss"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            ] as [String: AnyCodable])
    }

    /// `openid.connect.token`: errors are `ok:false` with HTTP 200, like every Web API method.
    func token(_ request: Request, _ fields: [String: String]) async throws -> SimReply {
        guard openID.isClient(request, fields) else { throw SimError.badRequest(code: "invalid_client_id", message: "") }
        guard openID.clientSecretMatches(request, fields) else { throw SimError.badRequest(code: "bad_client_secret", message: "") }
        if let grantType = fields["grant_type"], grantType != "authorization_code" {
            throw SimError.badRequest(code: "invalid_grant_type", message: "")
        }
        let redeemed = openID.redeem(
            code: fields["code"] ?? "", provider: .slack, redirectURI: fields["redirect_uri"], redirectURIOptional: true,
            verifier: fields["code_verifier"])
        let grant: SimOpenIDCode
        switch redeemed {
        case .success(let found): grant = found
        case .failure(.wrongRedirectURI): throw SimError.badRequest(code: "bad_redirect_uri", message: "")
        case .failure: throw SimError.badRequest(code: "invalid_code", message: "")
        }
        guard let (slack, account) = person(grant.organization, grant.userID) else {
            throw SimError.badRequest(code: "invalid_code", message: "")
        }
        let now = state.configuration.now()
        var claims: [String: AnyCodable] = [
            "iss": .string("\(http.baseURL(request))/slack"), "sub": .string(account.id), "aud": .string(grant.clientID),
            "exp": .int(Int(now.timeIntervalSince1970) + 300), "iat": .int(Int(now.timeIntervalSince1970)),
            "auth_time": .int(Int(grant.authTime.timeIntervalSince1970)),
            "https://slack.com/team_id": .string(slack.teamID), "https://slack.com/user_id": .string(account.id),
            "https://slack.com/team_name": .string(slack.teamName),
            "email": .string(Self.email(account)), "email_verified": true, "name": .string(account.displayName),
            "given_name": .string(account.firstName), "family_name": .string(account.lastName),
        ]
        if let nonce = grant.nonce { claims["nonce"] = .string(nonce) }
        let idToken: String
        do { idToken = try await openID.idToken(claims) } catch { throw SimError.unavailable(status: 500) }
        let accessToken = "xoxp-" + state.randomToken()
        state.store.withLock {
            $0.tokens[accessToken] = SimToken(organization: grant.organization, platform: .slack, kind: .user, userID: account.id, issuedAt: now)
        }
        return SimHTTP.json(
            [
                "ok": true, "access_token": .string(accessToken), "token_type": "Bearer", "id_token": .string(idToken),
            ] as [String: AnyCodable])
    }

    /// `openid.connect.userInfo`: who the sign-in token belongs to.
    func userInfo(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token: SimToken
        switch state.authenticate(SimHTTP.bearer(request) ?? fields["token"], platform: .slack, kinds: [.user]) {
        case .success(let found): token = found
        case .failure(let failure): throw SimError.unauthorized(failure)
        }
        guard let userID = token.userID, let (slack, account) = person(token.organization, userID) else {
            throw SimError.unauthorized(.invalid)
        }
        return SimHTTP.json(
            [
                "ok": true, "sub": .string(account.id), "https://slack.com/user_id": .string(account.id),
                "https://slack.com/team_id": .string(slack.teamID), "https://slack.com/team_name": .string(slack.teamName),
                "email": .string(Self.email(account)), "email_verified": true, "name": .string(account.displayName),
                "given_name": .string(account.firstName), "family_name": .string(account.lastName),
            ] as [String: AnyCodable])
    }

    private func person(_ organization: String, _ userID: String) -> (SimCredentials.Slack, SimAccount)? {
        state.store.withLock { store in
            guard let organization = store.organizations[organization], let account = organization.directory(.slack).account(userID)
            else { return nil }
            return (organization.credentials.slack, account)
        }
    }

    static func email(_ account: SimAccount) -> String {
        account.primaryEmail?.trimmingCharacters(in: .whitespaces) ?? ""
    }
}
