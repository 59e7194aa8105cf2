import Crypto
import Foundation
import Hummingbird
import UserSyncDomain

/// What "Sign in with Slack" and the Microsoft identity platform share for the deployment's one
/// OpenID client: the authorize request, the sign-in page's answer, single-use codes (with PKCE),
/// and signing id_tokens, once faulty when a test asked for it. The client belongs to no
/// simulated organization: a person of any of them may sign in.
struct SimOpenID: Sendable {
    let state: SimulatorState

    /// An authorize request, as the page's form carries it back.
    struct SignIn: Sendable {
        var provider: SimOpenIDProvider
        var clientID: String
        var redirectURI: String
        var responseType: String
        var scope: String
        var state: String?
        var nonce: String?
        var codeChallenge: String?
        var codeChallengeMethod: String?
        var loginHint: String?
        /// Slack's workspace hint, carried through the page.
        var team: String?
        /// Only people of this organization may sign in: Slack's `team`, or a tenant in the
        /// identity platform's path.
        var organization: String?

        init(provider: SimOpenIDProvider, fields: [String: String], organization: String?) {
            self.provider = provider
            clientID = fields["client_id"] ?? ""
            redirectURI = fields["redirect_uri"] ?? ""
            responseType = fields["response_type"] ?? ""
            scope = fields["scope"] ?? ""
            state = fields["state"]
            nonce = fields["nonce"]
            codeChallenge = fields["code_challenge"]
            codeChallengeMethod = fields["code_challenge_method"]
            loginHint = fields["login_hint"]
            team = fields["team"]
            self.organization = organization
        }

        /// The fields the page posts back, so the POST rebuilds the same request.
        var formFields: [(String, String?)] {
            [
                ("client_id", clientID), ("redirect_uri", redirectURI), ("response_type", responseType), ("scope", scope),
                ("state", state), ("nonce", nonce), ("code_challenge", codeChallenge), ("code_challenge_method", codeChallengeMethod),
                ("team", team),
            ]
        }
    }

    var clientID: String { state.configuration.openIDClientID }

    /// Whether a token request authenticates as (or names) the OpenID client.
    func isClient(_ request: Request, _ fields: [String: String]) -> Bool {
        (SimHTTP.basic(request)?.0 ?? fields["client_id"]) == clientID
    }

    /// Whether the client authenticates with its secret, in the form or with HTTP Basic.
    func clientSecretMatches(_ request: Request, _ fields: [String: String]) -> Bool {
        let secret = SimHTTP.basic(request)?.1 ?? fields["client_secret"]
        return secret == state.configuration.openIDClientSecret
    }

    // MARK: Authorize

    /// GET: checks the request, then shows the page or answers at once when auto-approval is on.
    func authorize(_ signIn: SignIn, formAction: String) -> SimReply {
        if let refusal = refusal(signIn) { return refusal }
        // The login a test set for auto-approval is who signs in, whatever the hint says (a person may pick another account).
        let (decision, login) = state.store.withLock { ($0.autoApprove, $0.autoApproveLogin ?? signIn.loginHint) }
        switch decision {
        case .allow?: return decide(signIn, allow: true, login: login)
        case .deny?: return decide(signIn, allow: false, login: nil)
        case nil: return signInPage(signIn, formAction: formAction)
        }
    }

    /// POST: the page's answer. An admin's button sends `pick` (their address) and means Allow.
    func answer(_ signIn: SignIn, fields: [String: String]) -> SimReply {
        if let refusal = refusal(signIn) { return refusal }
        if let pick = fields["pick"] { return decide(signIn, allow: true, login: pick) }
        return decide(signIn, allow: fields["decision"] == "allow", login: fields["login"])
    }

    /// A page for requests that cannot be redirected back, a redirect for the ones that can.
    private func refusal(_ signIn: SignIn) -> SimReply? {
        guard signIn.clientID == clientID else {
            return SimHTML.page(title: "Sign-in failed", body: "<p>Invalid client_id.</p>", status: .badRequest)
        }
        guard let redirect = URLComponents(string: signIn.redirectURI), redirect.scheme?.hasPrefix("http") == true else {
            return SimHTML.page(title: "Sign-in failed", body: "<p>The redirect URI is not a valid http(s) URL.</p>", status: .badRequest)
        }
        if signIn.responseType != "code" {
            return redirectError(signIn, "unsupported_response_type", "Only response_type=code is supported")
        }
        if !signIn.scope.split(separator: " ").contains("openid") {
            return redirectError(signIn, "invalid_scope", "The scope must include openid")
        }
        return nil
    }

    private func decide(_ signIn: SignIn, allow: Bool, login: String?) -> SimReply {
        guard allow else { return redirectError(signIn, "access_denied", "The user denied the request") }
        guard let login, let found = person(signIn.provider, login: login, in: signIn.organization) else {
            return SimHTML.page(title: "Sign-in failed", body: "<p>No active account matches that sign-in.</p>", status: .badRequest)
        }
        let (organization, account) = found
        let code = "oidc-" + state.randomToken()
        let now = state.configuration.now()
        state.store.withLock {
            $0.openIDCodes[code] = SimOpenIDCode(
                provider: signIn.provider, organization: organization, userID: account.id, clientID: signIn.clientID,
                redirectURI: signIn.redirectURI, nonce: signIn.nonce, codeChallenge: signIn.codeChallenge,
                codeChallengeMethod: signIn.codeChallengeMethod, authTime: now,
                expiresAt: now.addingTimeInterval(state.configuration.codeLifetime))
        }
        return SimHTTP.redirect(Self.append(signIn.redirectURI, [("code", code)] + (signIn.state.map { [("state", $0)] } ?? [])))
    }

    private func redirectError(_ signIn: SignIn, _ error: String, _ description: String) -> SimReply {
        SimHTTP.redirect(
            Self.append(
                signIn.redirectURI, [("error", error), ("error_description", description)] + (signIn.state.map { [("state", $0)] } ?? [])))
    }

    static func append(_ url: String, _ fields: [(String, String)]) -> String {
        let query = fields.map { "\(SimHTTP.escape($0.0))=\(SimHTTP.escape($0.1))" }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + query
    }

    /// The active person a login (address or user id) names, in the first organization (by name)
    /// that has one: addresses are unique per organization domain, not across them.
    func person(_ provider: SimOpenIDProvider, login: String, in only: String? = nil) -> (String, SimAccount)? {
        let login = login.trimmingCharacters(in: .whitespaces)
        guard !login.isEmpty else { return nil }
        return organizations(only).lazy.compactMap { organization -> (String, SimAccount)? in
            let directory = organization.directory(provider.platform)
            guard let index = directory.find(login: login) else { return nil }
            let account = directory.accounts[index]
            guard account.active, !account.pending, !account.bot, account.id != "USLACKBOT" else { return nil }
            return (organization.name, account)
        }.first
    }

    func organizations(_ only: String? = nil) -> [SimOrganization] {
        state.store.withLock { store in
            store.organizations.values.filter { only == nil || $0.name == only }.sorted { $0.name < $1.name }
        }
    }

    // MARK: Codes and tokens

    enum RedeemFailure: Error { case invalidCode, wrongRedirectURI, wrongVerifier }

    /// Takes a code once, whatever the outcome: a code is never redeemable twice (RFC 6749 §4.1.2).
    /// `redirectURIOptional`: Slack lets the token request leave the redirect URI out; when sent,
    /// it must match.
    func redeem(
        code: String, provider: SimOpenIDProvider, redirectURI: String?, redirectURIOptional: Bool = false, verifier: String?
    ) -> Result<SimOpenIDCode, RedeemFailure> {
        let grant = state.store.withLock { $0.openIDCodes.removeValue(forKey: code) }
        guard let grant, grant.provider == provider, grant.clientID == clientID, grant.expiresAt > state.configuration.now() else {
            return .failure(.invalidCode)
        }
        guard redirectURI == grant.redirectURI || (redirectURI == nil && redirectURIOptional) else { return .failure(.wrongRedirectURI) }
        if let challenge = grant.codeChallenge {
            // RFC 7636 §4.6: S256 compares the verifier's SHA-256; a missing method means plain.
            guard let verifier else { return .failure(.wrongVerifier) }
            let expected = grant.codeChallengeMethod == "S256" ? base64URL(Data(SHA256.hash(data: Data(verifier.utf8)))) : verifier
            guard expected == challenge else { return .failure(.wrongVerifier) }
        }
        return .success(grant)
    }

    /// Signs an id_token, spoiled the way the pending ``IDTokenFault`` says, if one is pending.
    func idToken(_ claims: [String: AnyCodable]) async throws -> String {
        let fault = state.store.withLock { store -> IDTokenFault? in
            defer { store.nextIDTokenFault = nil }
            return store.nextIDTokenFault
        }
        var claims = claims
        let now = Int(state.configuration.now().timeIntervalSince1970)
        switch fault {
        case .wrongAudience?: claims["aud"] = .string("not-\(clientID)")
        case .expired?:
            for name in ["iat", "nbf", "auth_time"] where claims[name] != nil { claims[name] = .int(now - 7200) }
            claims["exp"] = .int(now - 3600)
        case .wrongNonce?: claims["nonce"] = .string("not-the-nonce-" + state.randomToken())
        case .wrongIssuer?: claims["iss"] = "https://issuer.invalid/simulated"
        case .badSignature?, nil: break
        }
        return try await state.signingKey.sign(SimIDTokenClaims(claims), forged: fault == .badSignature)
    }
}
