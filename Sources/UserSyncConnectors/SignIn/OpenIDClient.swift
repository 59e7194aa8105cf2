import AsyncHTTPClient
import Crypto
import Foundation
import JWTKit
import Logging
import NIOCore
import Synchronization
import UserSyncDomain

/// The relying-party side of OpenID Connect's authorization code flow for one provider:
/// discovery, the authorize URL, the code exchange, and the `id_token` validated against the
/// signing keys the issuer publishes (signature, issuer, audience, expiry, nonce). Discovery and
/// keys are cached; an unknown key id fetches the keys again (providers rotate them).
public final class OpenIDClient: Sendable {
    public let settings: OpenIDSettings
    let client: HTTPClient
    let logger: Logger
    /// The discovery document, once read.
    private let cache = Mutex<Discovery?>(nil)
    private let keys = SigningKeys()

    /// The provider's discovery document, as far as the flow needs it.
    struct Discovery: Decodable, Sendable {
        var issuer: String
        var authorization_endpoint: String
        var token_endpoint: String
        var jwks_uri: String
    }

    public init(settings: OpenIDSettings, client: HTTPClient, logger: Logger) {
        self.settings = settings
        self.client = client
        self.logger = logger
    }

    /// What the browser carries from the start of a sign-in to its callback.
    public struct Attempt: Sendable, Codable, Equatable {
        public var state: String
        public var nonce: String
        public var codeVerifier: String?

        public static func random(pkce: Bool) -> Attempt {
            Attempt(state: randomToken(), nonce: randomToken(), codeVerifier: pkce ? randomToken() : nil)
        }
    }

    /// The provider's authorize URL for `attempt`.
    public func authorizeURL(_ attempt: Attempt, redirectURI: String, loginHint: String?) async throws(SignInFailure) -> String {
        let discovery = try await discovery()
        var query = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", redirectURI),
            ("scope", settings.scopes), ("state", attempt.state), ("nonce", attempt.nonce),
        ]
        if let verifier = attempt.codeVerifier {
            query += [("code_challenge", Data(SHA256.hash(data: Data(verifier.utf8))).base64URL), ("code_challenge_method", "S256")]
        }
        if let loginHint { query.append(("login_hint", loginHint)) }
        return FormEncoding.url(discovery.authorization_endpoint, query)
    }

    /// Redeems the code and validates the `id_token` that comes with it.
    public func signIn(code: String, attempt: Attempt, redirectURI: String) async throws(SignInFailure) -> SignInIdentity {
        let discovery = try await discovery()
        var fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("client_id", settings.clientID), ("client_secret", settings.clientSecret),
        ]
        if let verifier = attempt.codeVerifier { fields.append(("code_verifier", verifier)) }
        var request = HTTPClientRequest(url: discovery.token_endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields)))
        let (status, body) = try await fetch(request, what: "the token endpoint")
        let answer = try? JSONDecoder().decode(TokenAnswer.self, from: body)
        // Slack answers 200 with `ok: false`; the identity platform answers 4xx with `error`.
        guard (200..<300).contains(status), answer?.ok ?? true, let idToken = answer?.id_token else {
            let said = [answer?.error, answer?.error_description].compactMap { $0 }.joined(separator: ": ")
            throw .codeRejected(said.isEmpty ? "HTTP \(status)" : said)
        }
        return try await validate(idToken, nonce: attempt.nonce, issuer: discovery.issuer)
    }

    struct TokenAnswer: Decodable {
        var ok: Bool?
        var id_token: String?
        var error: String?
        var error_description: String?
    }

    /// Checks the token's signature against the issuer's keys, then its claims.
    func validate(_ token: String, nonce: String, issuer: String) async throws(SignInFailure) -> SignInIdentity {
        let claims: IDTokenClaims
        do {
            claims = try await verifySignature(token)
        } catch let failure as SignInFailure {
            throw failure
        } catch {
            throw .invalidToken("bad signature")
        }
        let now = settings.now()
        guard claims.aud.value.contains(settings.clientID) else { throw .invalidToken("wrong audience") }
        guard claims.exp.timeIntervalSince(now) > -settings.leeway else { throw .invalidToken("expired") }
        if let iat = claims.iat, iat.timeIntervalSince(now) > settings.leeway { throw .invalidToken("issued in the future") }
        guard let tokenNonce = claims.nonce, constantTimeEqual(tokenNonce, nonce) else { throw .invalidToken("nonce mismatch") }
        switch settings.provider {
        case .slack:
            guard claims.iss == issuer else { throw .invalidToken("wrong issuer") }
            guard let team = claims.slackTeamID, let user = claims.slackUserID ?? claims.sub else { throw .invalidToken("no team or user") }
            return SignInIdentity(provider: .slack, tenant: team, subject: user, email: claims.email, displayName: claims.name)
        case .microsoft:
            // Multi-tenant metadata names its issuer with a `{tenantid}` placeholder: the token's
            // own tenant must be the one its issuer names.
            guard let tenant = claims.tid, UUID(uuidString: tenant) != nil,
                claims.iss == issuer.replacingOccurrences(of: "{tenantid}", with: tenant)
            else { throw .invalidToken("wrong issuer") }
            guard let object = claims.oid else { throw .invalidToken("no object id") }
            return SignInIdentity(
                provider: .microsoft, tenant: tenant.lowercased(), subject: object.lowercased(),
                email: claims.email ?? claims.preferred_username, displayName: claims.name)
        }
    }

    private func verifySignature(_ token: String) async throws -> IDTokenClaims {
        let jwksURI = try await discovery().jwks_uri
        do {
            return try await keys.verify(token, as: IDTokenClaims.self, jwksURI: jwksURI, now: settings.now()) {
                url throws(SigningKeys.Failure) in
                let answer: (status: Int, body: Data)
                do { answer = try await fetch(HTTPClientRequest(url: url), what: "the signing keys") } catch {
                    throw .unavailable("the signing keys could not be reached")
                }
                guard answer.status == 200 else { throw .unavailable("the signing keys answered HTTP \(answer.status)") }
                return answer.body
            }.payload
        } catch .unavailable(let reason) {
            throw SignInFailure.providerUnavailable(reason)
        }
    }

    // MARK: Discovery and keys

    func discovery() async throws(SignInFailure) -> Discovery {
        if let cached = cache.withLock({ $0 }) { return cached }
        let (status, body) = try await fetch(HTTPClientRequest(url: settings.discoveryURL), what: "the discovery document")
        guard status == 200, let document = try? JSONDecoder().decode(Discovery.self, from: body) else {
            throw .providerUnavailable("the discovery document was not readable (HTTP \(status))")
        }
        cache.withLock { $0 = document }
        return document
    }

    private func fetch(_ request: HTTPClientRequest, what: String) async throws(SignInFailure) -> (Int, Data) {
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            logger.warning("sign-in provider unreachable", metadata: ["provider": "\(settings.provider.rawValue)", "what": "\(what)"])
            throw .providerUnavailable("\(what) could not be reached")
        }
    }
}

/// The `id_token` claims both providers' flows read. Signature and shape are checked by jwt-kit;
/// the claims by ``OpenIDClient``, which knows the expected nonce, issuer and clock.
struct IDTokenClaims: JWTPayload {
    var iss: String
    var sub: String?
    var aud: AudienceClaim
    var exp: Date
    var iat: Date?
    var nonce: String?
    var email: String?
    var name: String?
    // Slack
    var slackTeamID: String?
    var slackUserID: String?
    // Microsoft
    var tid: String?
    var oid: String?
    var preferred_username: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, email, name, tid, oid, preferred_username
        case slackTeamID = "https://slack.com/team_id"
        case slackUserID = "https://slack.com/user_id"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

private func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URL
}

private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let a = Array(a.utf8), b = Array(b.utf8)
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
