import Crypto
import Foundation
import Hummingbird
import UserSyncDomain

/// The Microsoft identity platform v2.0 as an OpenID Connect provider for the deployment's sign-in
/// client: discovery and keys under `/login/{tenant}`, and the OpenID half of the authorize and
/// token endpoints ``GraphSimulator`` serves (they hand over requests naming this client).
struct MicrosoftOpenID: Sendable {
    let http: SimHTTP
    let openID: SimOpenID
    var state: SimulatorState { http.state }

    /// A `{tenant}` path segment: any work account (`organizations`, `common`), or one tenant.
    enum Tenant {
        case any
        case one(organization: String, tenantID: String)
    }

    func register(_ router: Router<BasicRequestContext>) {
        router.get("/login/:tenant/v2.0/.well-known/openid-configuration") { request, context in
            try await http.serve(.teams, "openid.configuration", render: GraphSimulator.renderIdentity) {
                let path = SimHTTP.param(context, "tenant") ?? ""
                return discovery(base: http.baseURL(request), path: path, tenant: try tenant(path))
            }
        }
        router.get("/login/:tenant/discovery/v2.0/keys") { _, context in
            try await http.serve(.teams, "openid.keys", render: GraphSimulator.renderIdentity) {
                _ = try tenant(SimHTTP.param(context, "tenant") ?? "")
                return SimHTTP.json(state.signingKey.jwks)
            }
        }
    }

    func tenant(_ path: String) throws -> Tenant {
        if path == "organizations" || path == "common" { return .any }
        let lowered = path.lowercased()
        guard let organization = state.organization(where: { $0.credentials.teams.tenantID == lowered || $0.domain == lowered }) else {
            throw SimError.badRequest(code: "invalid_tenant", message: "AADSTS90002: Tenant '\(path)' not found.")
        }
        return .one(organization: organization.name, tenantID: organization.credentials.teams.tenantID)
    }

    private func discovery(base: String, path: String, tenant: Tenant) -> SimReply {
        let issuerTenant =
            switch tenant {
            case .any: "{tenantid}"
            case .one(_, let tenantID): tenantID
            }
        let authority = "\(base)/login/\(path)"
        return SimHTTP.json(
            [
                "issuer": .string("\(base)/login/\(issuerTenant)/v2.0"),
                "authorization_endpoint": .string("\(authority)/oauth2/v2.0/authorize"),
                "token_endpoint": .string("\(authority)/oauth2/v2.0/token"), "jwks_uri": .string("\(authority)/discovery/v2.0/keys"),
                "response_types_supported": ["code", "id_token", "code id_token"], "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            ] as [String: AnyCodable])
    }

    // MARK: Authorize

    /// Takes over an authorize request for the sign-in client (GET shows the page, POST is its
    /// answer); nil leaves every other client to the consent flow.
    func authorize(_ request: Request, _ fields: [String: String], _ context: BasicRequestContext) -> SimReply? {
        guard fields["client_id"] == openID.clientID else { return nil }
        let organization: String?
        switch try? tenant(SimHTTP.param(context, "tenant") ?? "") {
        case .any?: organization = nil
        case .one(let name, _)?: organization = name
        case nil: return SimHTML.page(title: "Sign-in failed", body: "<p>Tenant not found.</p>", status: .badRequest)
        }
        let signIn = SimOpenID.SignIn(provider: .microsoft, fields: fields, organization: organization)
        return request.method == .post ? openID.answer(signIn, fields: fields) : openID.authorize(signIn, formAction: request.uri.path)
    }

    // MARK: Token

    /// The authorization code grant for the sign-in client, with PKCE when the authorize request
    /// sent a challenge; errors in the identity platform's shape.
    func token(tenant path: String, _ request: Request, _ fields: [String: String]) async throws -> SimReply {
        _ = try tenant(path)
        guard openID.clientSecretMatches(request, fields) else { throw SimError.unauthorized(.invalid) }
        guard fields["grant_type"] == "authorization_code" else {
            throw SimError.badRequest(code: "unsupported_grant_type", message: "AADSTS70003: The app requested an unsupported grant type.")
        }
        let redeemed = openID.redeem(
            code: fields["code"] ?? "", provider: .microsoft, redirectURI: fields["redirect_uri"], verifier: fields["code_verifier"])
        let grant: SimOpenIDCode
        switch redeemed {
        case .success(let found): grant = found
        case .failure(.wrongVerifier):
            throw SimError.badRequest(
                code: "invalid_grant",
                message: "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
        case .failure(.wrongRedirectURI):
            throw SimError.badRequest(
                code: "invalid_grant", message: "AADSTS500117: The reply uri specified in the request isn't expected.")
        case .failure(.invalidCode):
            throw SimError.badRequest(
                code: "invalid_grant", message: "AADSTS70008: The provided authorization code or refresh token has expired or was already used.")
        }
        let found = state.store.withLock { store -> (String, SimAccount)? in
            guard let organization = store.organizations[grant.organization],
                let account = organization.directory(.teams).account(grant.userID)
            else { return nil }
            return (organization.credentials.teams.tenantID, account)
        }
        guard let (tenantID, account) = found else {
            throw SimError.badRequest(
                code: "invalid_grant", message: "AADSTS70008: The provided authorization code or refresh token has expired or was already used.")
        }
        let now = Int(state.configuration.now().timeIntervalSince1970)
        let email = account.primaryEmail?.trimmingCharacters(in: .whitespaces) ?? ""
        var claims: [String: AnyCodable] = [
            "ver": "2.0", "iss": .string("\(http.baseURL(request))/login/\(tenantID)/v2.0"), "aud": .string(grant.clientID),
            "iat": .int(now), "nbf": .int(now), "exp": .int(now + 3600),
            // Pairwise: the same person has a different `sub` for every client; `oid` is the same.
            "sub": .string(base64URL(Data(SHA256.hash(data: Data((account.id + grant.clientID).utf8))))),
            "oid": .string(account.id), "tid": .string(tenantID), "name": .string(account.displayName),
            "preferred_username": .string(email), "email": .string(email),
        ]
        if let nonce = grant.nonce { claims["nonce"] = .string(nonce) }
        let idToken: String
        do { idToken = try await openID.idToken(claims) } catch { throw SimError.unavailable(status: 500) }
        let accessToken = state.issueToken(organization: grant.organization, platform: .teams, kind: .user, userID: account.id, lifetime: 3599)
        return SimHTTP.json(
            [
                "token_type": "Bearer", "scope": "openid profile email", "expires_in": 3599, "access_token": .string(accessToken),
                "id_token": .string(idToken),
            ] as [String: AnyCodable])
    }
}
