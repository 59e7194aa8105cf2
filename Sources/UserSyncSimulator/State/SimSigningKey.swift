import CryptoExtras
import Foundation
import JWTKit
import Synchronization

/// The key the simulated OpenID providers sign id_tokens with: RSA-2048, RS256, one per simulator
/// and published as a JWKS under a key id drawn when the simulator starts, so nothing signed by
/// one run verifies against another. The key itself is made on first use: RSA key generation
/// takes a noticeable fraction of a second in debug builds, and most simulators never sign.
final class SimSigningKey: Sendable {
    let kid: String
    /// Nil until first use; stays nil only if the platform could not make an RSA key (signing then
    /// fails and the JWKS is empty).
    private let made = Mutex<JWTKit.Insecure.RSA.PrivateKey?>(nil)
    /// Tokens handed out again while they last (``reusable(_:lifetime:claims:)``).
    private let issued = Mutex<[String: (token: String, renewAt: Date)]>([:])

    init() {
        var generator = SystemRandomNumberGenerator()
        kid = (0..<2).map { _ in String(generator.next(), radix: 36) }.joined()
    }

    private var key: JWTKit.Insecure.RSA.PrivateKey? {
        made.withLock { made in
            if made == nil { made = try? Self.generate() }
            return made
        }
    }

    private static func generate() throws -> JWTKit.Insecure.RSA.PrivateKey {
        try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    enum Failure: Error { case noKey }

    /// A compact JWS of `claims`. With `forged`, the signature comes from a fresh key that is
    /// published nowhere while the header still names the published key id.
    func sign(_ claims: SimIDTokenClaims, forged: Bool = false) async throws -> String {
        let signer: JWTKit.Insecure.RSA.PrivateKey
        if forged {
            signer = try Self.generate()
        } else {
            guard let key else { throw Failure.noKey }
            signer = key
        }
        let keys = JWTKeyCollection()
        await keys.add(rsa: signer, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// A token for `purpose`, signed once and handed out again until half its `lifetime` has
    /// passed, as an OAuth client (the Bot Connector) uses the token it obtained until it nears
    /// its expiry. `claims` makes a new one, valid from the time it is given.
    func reusable(
        _ purpose: String, lifetime: TimeInterval, claims: (Date) -> SimIDTokenClaims
    ) async throws -> String {
        let now = Date()
        if let kept = issued.withLock({ $0[purpose] }), kept.renewAt > now { return kept.token }
        let token = try await sign(claims(now))
        issued.withLock { $0[purpose] = (token, now.addingTimeInterval(lifetime / 2)) }
        return token
    }

    /// The JSON Web Key Set (RFC 7517) relying parties verify id_tokens with.
    var jwks: [String: AnyCodable] {
        guard let primitives = try? key?.publicKey.getKeyPrimitives() else { return ["keys": .array([])] }
        return [
            "keys": .array([
                .object([
                    "kty": "RSA", "use": "sig", "alg": "RS256", "kid": .string(kid),
                    "n": .string(base64URL(primitives.modulus)), "e": .string(base64URL(primitives.publicExponent)),
                ])
            ])
        ]
    }
}

/// Base64url without padding (RFC 7515 §2), as JWKs and PKCE challenges spell bytes.
func base64URL(_ data: some DataProtocol) -> String {
    Data(data).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}
