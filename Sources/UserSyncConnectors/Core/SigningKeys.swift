import Foundation
import JWTKit
import Synchronization
import UserSyncDomain

/// An issuer's published signing keys (a JWKS), fetched on first use and cached. A token naming
/// a key id the cache does not hold fetches the set again, at most once a minute: issuers rotate
/// keys, but a stream of made-up key ids must not become a stream of fetches. Console sign-in
/// (``OpenIDClient``) and the Teams bot's activity tokens (``BotFrameworkAuthentication``) share it.
final class SigningKeys: Sendable {
    enum Failure: Error, Sendable, Equatable {
        /// The key set could not be fetched or read.
        case unavailable(String)
        /// The token names no key the issuer publishes, even after fetching the set again.
        case unknownKey
        /// Not a compact JWS with a readable header, or not signed with `RS256`.
        case malformed
        /// The signature does not verify, or the payload is not the expected shape.
        case badSignature
    }

    /// GETs a URL and returns the body of a 200 answer.
    typealias Fetch = @Sendable (_ url: String) async throws(Failure) -> Data

    private struct State {
        var source: String?
        var keys: JWTKeyCollection?
        var kids: Set<String> = []
        var endorsements: [String: [String]] = [:]
        var fetchedAt: Date?
    }

    static let refetchInterval: TimeInterval = 60
    private let state = Mutex(State())

    /// Verifies `token`'s signature with the key its header names, from the set at `jwksURI`,
    /// and decodes its payload; the payload's claims are the caller's to check. Returns the key id.
    func verify<Payload: JWTPayload>(
        _ token: String, as type: Payload.Type, jwksURI: String, now: Date, fetch: Fetch
    ) async throws(Failure) -> (payload: Payload, kid: String) {
        guard let header = Self.header(of: token), header.alg == "RS256", let kid = header.kid else { throw .malformed }
        var (keys, known, fetchedAt) = state.withLock { state in
            state.source == jwksURI ? (state.keys, state.kids.contains(kid), state.fetchedAt) : (nil, false, nil)
        }
        if keys == nil || !known && now.timeIntervalSince(fetchedAt ?? .distantPast) > Self.refetchInterval {
            keys = try await load(jwksURI, now: now, fetch: fetch)
            known = state.withLock { $0.kids.contains(kid) }
        }
        guard let keys, known else { throw .unknownKey }
        do {
            return (try await keys.verify(token, as: type), kid)
        } catch {
            throw .badSignature
        }
    }

    /// The channels a key is endorsed for (the Bot Framework's `endorsements`); nil when the key
    /// names none.
    func endorsements(of kid: String) -> [String]? {
        state.withLock { $0.endorsements[kid] }
    }

    private func load(_ jwksURI: String, now: Date, fetch: Fetch) async throws(Failure) -> JWTKeyCollection {
        let body = try await fetch(jwksURI)
        guard let set = try? JSONDecoder().decode(KeySet.self, from: body) else { throw .unavailable("the signing keys were not readable") }
        let keys = JWTKeyCollection()
        var kids: Set<String> = []
        var endorsements: [String: [String]] = [:]
        for (jwk, extra) in zip(set.keys, set.extras) {
            // Keys of other types (or unreadable ones) are skipped, not fatal: one odd key must not
            // make every token unverifiable. No key is the default, so a token must name its key.
            guard let kid = extra.kid, (try? await keys.add(jwk: jwk, isDefault: false)) != nil else { continue }
            kids.insert(kid)
            endorsements[kid] = extra.endorsements
        }
        state.withLock { state in
            state = State(source: jwksURI, keys: keys, kids: kids, endorsements: endorsements, fetchedAt: now)
        }
        return keys
    }

    private struct KeySet: Decodable {
        struct Extra: Decodable {
            var kid: String?
            var endorsements: [String]?
        }

        var keys: [JWK]
        var extras: [Extra]

        enum CodingKeys: String, CodingKey { case keys }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let raw = try container.decode([Lenient].self, forKey: .keys)
            keys = raw.compactMap(\.jwk)
            extras = raw.compactMap { $0.jwk == nil ? nil : $0.extra }
        }

        /// One entry of `keys`, kept even when jwt-kit cannot read it as a JWK.
        struct Lenient: Decodable {
            var jwk: JWK?
            var extra: Extra

            init(from decoder: any Decoder) throws {
                jwk = try? JWK(from: decoder)
                extra = (try? Extra(from: decoder)) ?? Extra()
            }
        }
    }

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private static func header(of token: String) -> Header? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[0])) else { return nil }
        return try? JSONDecoder().decode(Header.self, from: data)
    }
}
