import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

/// The authorization-code half of OAuth that every platform shares: the authorize page (or its
/// automatic answer), single-use codes bound to client and redirect URI, and user tokens.
struct SimOAuth: Sendable {
    let state: SimulatorState

    struct Authorization: Sendable {
        var platform: Platform
        var organization: String
        var clientID: String
        var redirectURI: String
        var state: String?
        var loginHint: String?
    }

    /// Serves an authorize endpoint: GET shows the page (or answers at once when auto-approval is
    /// on), POST takes the page's Allow/Deny. `authorization` reads the request's fields and
    /// finds the organization whose client asks; nil is an unknown client. `takeOver` may answer
    /// a request itself first (the OpenID sign-in client shares the identity platform's path).
    func register(
        _ router: Router<BasicRequestContext>, _ path: RouterPath, requireCodeResponse: Bool = true,
        takeOver: (@Sendable (Request, [String: String], BasicRequestContext) -> SimReply?)? = nil,
        authorization: @escaping @Sendable ([String: String], BasicRequestContext) -> Authorization?
    ) {
        let unknownClient = SimHTTP.raw("<p>Invalid client_id.</p>", status: .badRequest, contentType: "text/html")
        router.get(path) { request, context in
            let query = SimHTTP.query(request)
            if let reply = takeOver?(request, query, context) { return reply.response }
            guard !requireCodeResponse || query["response_type"] == "code", let found = authorization(query, context) else {
                return unknownClient.response
            }
            return self.authorize(found, formAction: request.uri.path).response
        }
        router.post(path) { request, context in
            let fields = await SimHTTP.fields(request)
            if let reply = takeOver?(request, fields, context) { return reply.response }
            guard let found = authorization(fields, context) else { return unknownClient.response }
            return decide(found, allow: fields["decision"] == "allow", login: fields["login"]).response
        }
    }

    /// Answers an authorize request: the page, or at once when auto-approval is on.
    func authorize(_ authorization: Authorization, formAction: String) -> SimReply {
        guard let redirect = URLComponents(string: authorization.redirectURI), redirect.scheme?.hasPrefix("http") == true else {
            return page(title: "Invalid redirect", body: "<p>The redirect URI is not a valid http(s) URL.</p>", status: .badRequest)
        }
        let (decision, login) = state.store.withLock { ($0.autoApprove, authorization.loginHint ?? $0.autoApproveLogin) }
        switch decision {
        case .allow?: return decide(authorization, allow: true, login: login)
        case .deny?: return decide(authorization, allow: false, login: nil)
        case nil: return consentPage(authorization, formAction: formAction)
        }
    }

    /// The Allow/Deny answer, from the page's form or from auto-approval.
    func decide(_ authorization: Authorization, allow: Bool, login: String?) -> SimReply {
        guard allow else {
            return SimHTTP.redirect(
                append(
                    authorization.redirectURI,
                    [
                        ("error", "access_denied"), ("error_description", "The user denied the request"),
                    ] + stateField(authorization)))
        }
        let userID = login.flatMap { login in
            state.withOrganization(authorization.organization) { organization in
                organization.directories[authorization.platform]?.find(login: login)
                    .map { organization.directories[authorization.platform]!.accounts[$0] }
            } ?? nil
        }.flatMap { $0.active ? $0.id : nil }
        guard let userID else {
            return page(title: "Sign-in failed", body: "<p>No active account matches that sign-in.</p>", status: .badRequest)
        }
        let code = "code-" + state.randomToken()
        state.store.withLock {
            $0.codes[code] = SimAuthorizationCode(
                organization: authorization.organization, platform: authorization.platform, userID: userID,
                clientID: authorization.clientID, redirectURI: authorization.redirectURI,
                expiresAt: state.configuration.now().addingTimeInterval(state.configuration.codeLifetime))
        }
        return SimHTTP.redirect(append(authorization.redirectURI, [("code", code)] + stateField(authorization)))
    }

    enum GrantFailure: Error { case invalidGrant, invalidClient }

    /// Redeems a code once. The client and redirect URI must be the ones it was issued to.
    func redeem(code: String, platform: Platform, clientID: String, redirectURI: String?) -> Result<SimAuthorizationCode, GrantFailure> {
        state.store.withLock { store in
            guard let grant = store.codes.removeValue(forKey: code), grant.platform == platform else { return .failure(.invalidGrant) }
            guard grant.clientID == clientID else { return .failure(.invalidClient) }
            // The code is redeemed with the redirect URI it was issued for (RFC 6749 §4.1.3).
            guard grant.expiresAt > state.configuration.now(), redirectURI == grant.redirectURI else { return .failure(.invalidGrant) }
            return .success(grant)
        }
    }

    struct IssuedTokens: Sendable {
        var accessToken: String
        var refreshToken: String
        var expiresIn: Int
        var userID: String
        var organization: String
    }

    func issue(organization: String, platform: Platform, userID: String, clientID: String) -> IssuedTokens {
        let lifetime = state.configuration.userTokenLifetime
        let access = state.issueToken(organization: organization, platform: platform, kind: .user, userID: userID, lifetime: lifetime)
        let refresh = "refresh-" + state.randomToken()
        state.store.withLock {
            $0.refreshTokens[refresh] = SimRefreshToken(organization: organization, platform: platform, userID: userID, clientID: clientID)
        }
        return IssuedTokens(accessToken: access, refreshToken: refresh, expiresIn: lifetime, userID: userID, organization: organization)
    }

    /// New tokens for a refresh token. Platforms that rotate refresh tokens retire the old one.
    func refresh(_ token: String, platform: Platform, clientID: String, rotate: Bool) -> Result<IssuedTokens, GrantFailure> {
        let record: SimRefreshToken? = state.store.withLock { store in
            guard let record = store.refreshTokens[token], record.platform == platform, !record.revoked else { return nil }
            if rotate { store.refreshTokens[token]?.revoked = true }
            return record
        }
        guard let record else { return .failure(.invalidGrant) }
        guard record.clientID == clientID else { return .failure(.invalidClient) }
        var issued = issue(organization: record.organization, platform: platform, userID: record.userID, clientID: clientID)
        if !rotate {
            state.store.withLock { _ = $0.refreshTokens.removeValue(forKey: issued.refreshToken) }
            issued.refreshToken = token
        }
        return .success(issued)
    }

    /// Revokes a user's access token and every refresh token of that user on that platform.
    func revoke(accessToken: String) -> Bool {
        state.store.withLock { store in
            guard let token = store.tokens[accessToken], token.kind == .user, !token.revoked else { return false }
            for (value, other) in store.tokens
            where other.kind == .user && other.userID == token.userID
                && other.platform == token.platform && other.organization == token.organization
            {
                store.tokens[value]?.revoked = true
            }
            for (value, refresh) in store.refreshTokens where refresh.userID == token.userID && refresh.platform == token.platform {
                store.refreshTokens[value]?.revoked = true
            }
            return true
        }
    }

    private func stateField(_ authorization: Authorization) -> [(String, String)] {
        authorization.state.map { [("state", $0)] } ?? []
    }

    private func append(_ url: String, _ fields: [(String, String)]) -> String {
        let query = fields.map { "\(SimHTTP.escape($0.0))=\(SimHTTP.escape($0.1))" }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + query
    }

    private func consentPage(_ authorization: Authorization, formAction: String) -> SimReply {
        func hidden(_ name: String, _ value: String?) -> String {
            value.map { "<input type=\"hidden\" name=\"\(name)\" value=\"\(html($0))\">" } ?? ""
        }
        let body = """
            <p>An app asks to act on your behalf on \(authorization.platform.rawValue) (simulated).</p>
            <form method="post" action="\(html(formAction))">
            \(hidden("client_id", authorization.clientID))\(hidden("redirect_uri", authorization.redirectURI))\(hidden("state", authorization.state))
            <label>Sign in as (email or user id) <input name="login" value="\(html(authorization.loginHint ?? ""))"></label>
            <button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button>
            </form>
            """
        return page(title: "Authorize app", body: body, status: .ok)
    }

    private func page(title: String, body: String, status: HTTPResponse.Status) -> SimReply {
        SimHTTP.raw(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>\(title)</title></head><body><h1>\(title)</h1>\(body)</body></html>",
            status: status, contentType: "text/html; charset=utf-8")
    }

    private func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
