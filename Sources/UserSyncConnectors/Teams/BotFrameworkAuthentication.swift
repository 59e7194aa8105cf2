import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import Synchronization
import UserSyncDomain

/// Verifies the bearer tokens the Bot Framework sends with each activity to the bot's messaging
/// endpoint: signed (RS256) by a key the Bot Framework's OpenID metadata publishes, issued by
/// `https://api.botframework.com` for the bot's app id, within its lifetime. The metadata and keys
/// are fetched through the operator's ``OutboundGuard`` and cached (``SigningKeys``); one instance
/// per process serves every Teams connection. The Bot Framework sends one token with many
/// activities, so a token that verified is remembered until it expires: its signature (an RSA
/// verification, 3 % of all the relay benchmark's CPU) is checked once, its lifetime every time.
final class BotFrameworkAuthentication: Sendable {
    static let issuer = "https://api.botframework.com"
    /// How long the metadata's `jwks_uri` is used before the metadata is read again.
    static let metadataLifetime: TimeInterval = 86_400

    /// What a verified token says about the request.
    struct Verified: Sendable {
        /// The `serviceurl` claim: the activity's own `serviceUrl` must equal it.
        var serviceURL: String?
        /// The channels the signing key is endorsed for, where the key names them.
        var endorsements: [String]?
    }

    struct Claims: JWTPayload {
        var iss: String
        var aud: AudienceClaim
        var exp: Date
        var nbf: Date?
        var serviceurl: String?
        var serviceUrl: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private struct Metadata: Decodable {
        var jwks_uri: String
    }

    let metadataURL: String
    private let client: HTTPClient
    private let outbound: OutboundGuard
    private let logger: Logger
    private let keys = SigningKeys()
    private let metadata = Mutex<(jwksURI: String, fetchedAt: Date)?>(nil)
    /// Tokens that verified, by app id and token, with their lifetime.
    private let verifiedTokens = Mutex<[String: (verified: Verified, notBefore: Date?, expires: Date)]>([:])
    static let verifiedTokensKept = 1024

    init(metadataURL: String, client: HTTPClient, outbound: OutboundGuard, logger: Logger) {
        self.metadataURL = metadataURL
        self.client = client
        self.outbound = outbound
        self.logger = logger
    }

    /// Verifies `authorization` (the request's `Authorization` header) for the bot `appID`.
    func verify(_ authorization: String?, appID: String, now: Date, leeway: TimeInterval) async throws(EventRefusal) -> Verified {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            throw EventRefusal(.unsigned, "the request carries no bearer token")
        }
        let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let key = appID + " " + token
        if let known = verifiedTokens.withLock({ $0[key] }) {
            guard known.expires.timeIntervalSince(now) > -leeway else { throw EventRefusal(.stale, "the token has expired") }
            if let nbf = known.notBefore, nbf.timeIntervalSince(now) > leeway { throw EventRefusal(.stale, "the token is not valid yet") }
            return known.verified
        }
        let verified: (payload: Claims, kid: String)
        do {
            let jwksURI = try await jwksURI(now: now)
            verified = try await keys.verify(token, as: Claims.self, jwksURI: jwksURI, now: now) { url throws(SigningKeys.Failure) in
                try await fetch(url, what: "the signing keys")
            }
        } catch {
            switch error {
            case .unavailable(let reason):
                logger.warning("Bot Framework signing keys unavailable", metadata: ["reason": "\(reason)"])
                throw EventRefusal(.unverifiable, "the Bot Framework's signing keys could not be loaded")
            case .unknownKey: throw EventRefusal(.forgedSignature, "the token is signed with a key the Bot Framework does not publish")
            case .malformed: throw EventRefusal(.forgedSignature, "the bearer token is not an RS256 JWT naming its key")
            case .badSignature: throw EventRefusal(.forgedSignature, "the token's signature does not verify")
            }
        }
        let claims = verified.payload
        guard claims.iss == Self.issuer else { throw EventRefusal(.forgedSignature, "the token was not issued by the Bot Framework") }
        guard claims.aud.value.contains(appID) else { throw EventRefusal(.forgedSignature, "the token is for another bot") }
        guard claims.exp.timeIntervalSince(now) > -leeway else { throw EventRefusal(.stale, "the token has expired") }
        if let nbf = claims.nbf, nbf.timeIntervalSince(now) > leeway { throw EventRefusal(.stale, "the token is not valid yet") }
        let result = Verified(serviceURL: claims.serviceurl ?? claims.serviceUrl, endorsements: keys.endorsements(of: verified.kid))
        verifiedTokens.withLock { tokens in
            if tokens.count >= Self.verifiedTokensKept {
                tokens = tokens.filter { $0.value.expires.timeIntervalSince(now) > -leeway }
                if tokens.count >= Self.verifiedTokensKept { tokens.removeAll() }
            }
            tokens[key] = (result, claims.nbf, claims.exp)
        }
        return result
    }

    private func jwksURI(now: Date) async throws(SigningKeys.Failure) -> String {
        if let cached = metadata.withLock({ $0 }), now.timeIntervalSince(cached.fetchedAt) < Self.metadataLifetime {
            return cached.jwksURI
        }
        let body = try await fetch(metadataURL, what: "the OpenID metadata")
        guard let document = try? JSONDecoder().decode(Metadata.self, from: body) else {
            throw .unavailable("the Bot Framework's OpenID metadata was not readable")
        }
        metadata.withLock { $0 = (document.jwks_uri, now) }
        return document.jwks_uri
    }

    private func fetch(_ url: String, what: String) async throws(SigningKeys.Failure) -> Data {
        if let refusal = await outbound.refusal(of: url, platform: .teams, isRequest: true) {
            throw .unavailable("\(what): the URL \(refusal.message)")
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let status: UInt
        let body: Data
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            status = response.status.code
            body = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            throw .unavailable("\(what) could not be reached")
        }
        guard status == 200 else { throw .unavailable("\(what) answered HTTP \(status)") }
        return body
    }
}
