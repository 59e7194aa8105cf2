import CryptoExtras
import Foundation
import Hummingbird
import JWTKit
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncTestSupport

@Suite("Relay: the Bot Framework's signing keys are cached, refreshed and fetched through the guard")
struct RelayTeamsKeysTests {
    typealias Teams = RelayTeamsReceiverTests

    @Test("the keys are fetched once; a new key id fetches them again, at most once a minute")
    func rotation() async throws {
        try await BotKeyServer.run { server in
            let receiver = Teams.receiver(server)
            let body = Teams.activity()
            let token = try await Teams.token()
            for _ in 0..<3 {
                #expect(try await RelayRequests.events(receiver, Teams.request(body, token: token)).count == 1)
            }
            #expect(server.keyFetches.withLock { $0 } == 1)
            server.published.withLock { $0 = [BotKeyServer.first, BotKeyServer.second] }
            let rotated = try await Teams.token(key: BotKeyServer.second)
            #expect(await RelayRequests.refusal(receiver, Teams.request(body, token: rotated)) == .forgedSignature)
            #expect(
                await RelayRequests.refusal(receiver, Teams.request(body, token: rotated), now: Teams.now.addingTimeInterval(30)) == .forgedSignature)
            #expect(server.keyFetches.withLock { $0 } == 1, "unknown key ids within a minute fetch nothing")
            #expect(try await RelayRequests.events(receiver, Teams.request(body, token: rotated), now: Teams.now.addingTimeInterval(61)).count == 1)
            #expect(server.keyFetches.withLock { $0 } == 2)
        }
    }

    @Test("keys that cannot be loaded leave the request unverifiable (503, delivered again), not forged")
    func unavailable() async throws {
        try await BotKeyServer.run { server in
            let credentials = ConnectionCredentials.teams(
                .init(tenantID: Teams.tenant, clientID: "graph-app", clientSecret: "s", botAppID: "bot-app"))
            let request = Teams.request(Teams.activity(), token: try await Teams.token())
            var missing = SimulatedPlatforms.testSettings
            missing.botFrameworkOpenIDURL = server.baseURL + "/botframework/nowhere"
            #expect(await RelayRequests.refusal(RelayRequests.receiver(credentials, settings: missing), request) == .unverifiable)
            // The operator's host policy applies: a loopback http URL is not a platform host.
            var guarded = SimulatedPlatforms.testSettings
            guarded.outbound = OutboundGuard(policy: OutboundHostPolicy())
            guarded.botFrameworkOpenIDURL = server.metadataURL
            #expect(await RelayRequests.refusal(RelayRequests.receiver(credentials, settings: guarded), request) == .unverifiable)
            #expect(server.keyFetches.withLock { $0 } == 0)
            #expect(EventRefusal(.unverifiable, "").httpStatus == 503)
            #expect(EventRefusal(.malformed, "").httpStatus == 400)
            #expect(EventRefusal(.stale, "").httpStatus == 401)
        }
    }
}

/// The Bot Framework's OpenID metadata and signing keys, served on a loopback port from keys made
/// in the test, and tokens signed with them as the Bot Framework signs them.
final class BotKeyServer: Sendable {
    struct Key: Sendable {
        let kid: String
        let key: JWTKit.Insecure.RSA.PrivateKey
        var endorsements: [String]? = ["msteams"]
    }

    /// The claims the Bot Framework's tokens carry.
    struct Claims: JWTPayload {
        var iss = "https://api.botframework.com"
        var aud: String
        var exp: Date
        var nbf: Date
        var serviceurl: String

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// RSA key generation is slow in debug builds: three keys serve every test.
    static let first = Key(kid: "key-one", key: make())
    static let second = Key(kid: "key-two", key: make())
    static let unpublished = Key(kid: "key-three", key: make())

    private static func make() -> JWTKit.Insecure.RSA.PrivateKey {
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    let published = Mutex<[Key]>([first])
    let keyFetches = Mutex(0)
    private let base = Mutex("")
    var baseURL: String { base.withLock { $0 } }

    var metadataURL: String { "\(baseURL)/botframework/v1/.well-known/openidconfiguration" }

    static func sign(_ claims: Claims, with key: Key, as kid: String? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(rsa: key.key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid ?? key.kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid ?? key.kid))
    }

    private var jwks: String {
        let keys = published.withLock { $0 }.map { key -> [String: Any] in
            let primitives = try! key.key.publicKey.getKeyPrimitives()
            var jwk: [String: Any] = [
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": key.kid, "n": primitives.modulus.base64URL,
                "e": primitives.publicExponent.base64URL,
            ]
            if let endorsements = key.endorsements { jwk["endorsements"] = endorsements }
            return jwk
        }
        return RelayRequests.json(["keys": keys])
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/botframework/v1/.well-known/openidconfiguration") { _, _ in
            Self.response(
                RelayRequests.json([
                    "issuer": "https://api.botframework.com", "authorization_endpoint": "https://invalid.botframework.com",
                    "jwks_uri": "\(self.baseURL)/botframework/v1/.well-known/keys", "id_token_signing_alg_values_supported": ["RS256"],
                ]))
        }
        router.get("/botframework/v1/.well-known/keys") { _, _ in
            self.keyFetches.withLock { $0 += 1 }
            return Self.response(self.jwks)
        }
        return router
    }

    private static func response(_ json: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// Starts a server on an ephemeral port, runs `body`, and stops it.
    static func run<T: Sendable>(_ body: @Sendable (BotKeyServer) async throws -> T) async throws -> T {
        var logger = Logger(label: "bot-keys")
        logger.logLevel = .critical
        let port = PortBox()
        let server = BotKeyServer()
        let app = Application(
            router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.set($0.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
            group.addTask { try await services.run() }
            let bound = try await port.wait()
            server.base.withLock { $0 = "http://127.0.0.1:\(bound)" }
            let result: Result<T, any Error>
            do { result = .success(try await body(server)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }
}
