import AsyncHTTPClient
import Crypto
import Foundation
import NIOHTTP1
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// What the simulated-chat suites share: a quick event schedule, HTTP calls to the simulator's
/// wire and control endpoints, people to write as, and the platforms' signatures computed here
/// independently of the simulator.
enum Chat {
    /// Events are answered within half a second or sent again, soon.
    /// Retries come at once; the deadline for an answer is generous, so that a receiver on a
    /// busy machine is never taken for a slow one.
    static var configuration: SimulatorConfiguration { configuration(deadline: 10) }

    static func configuration(deadline: Double) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        configuration.eventDeadline = deadline
        configuration.eventRetryDelays = [0.05, 0.05, 0.05]
        return configuration
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String

        func decode<T: Decodable>(_ type: T.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
            do {
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                return try decoder.decode(type, from: Data(body.utf8))
            } catch {
                Issue.record("HTTP \(status) \(body) is not a \(T.self): \(error)", sourceLocation: sourceLocation)
                throw error
            }
        }
    }

    /// Calls the simulator: `json` or `form` as the body, `token` as the bearer.
    static func call(
        _ platforms: SimulatedPlatforms, _ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil,
        form: String? = nil, basic: (String, String)? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: platforms.baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let basic { request.headers.add(name: "Authorization", value: "Basic " + Data("\(basic.0):\(basic.1)".utf8).base64EncodedString()) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(.init(string: json))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(.init(string: form))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }

    /// Calls the control API under `/_sim`.
    static func control(_ platforms: SimulatedPlatforms, _ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> Reply {
        try await call(platforms, method, "/_sim" + path, json: json)
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    /// Active people (not guests, not pending) on `platform` of the organization `acme`.
    static func people(_ platforms: SimulatedPlatforms, on platform: Platform, count: Int = 2) throws -> [String] {
        let accounts = platforms.simulator.people(organization: "acme", limit: 10_000)?.flatMap(\.accounts) ?? []
        let ids = accounts.filter { $0.platform == platform && $0.active && !$0.pending && !$0.guest }.map(\.id)
        try #require(ids.count >= count)
        return Array(ids.prefix(count))
    }

    /// The control API's `POST …/messages`: a person writes a DM.
    static func write(
        _ platforms: SimulatedPlatforms, _ platform: Platform, from: String, to: String, text: String, thread: String? = nil
    ) async throws -> SimWrittenMessage {
        let threadField = thread.map { ", \"thread\": \(quoted($0))" } ?? ""
        let reply = try await control(
            platforms, .POST, "/orgs/acme/platforms/\(platform.rawValue)/messages",
            json: "{\"from\": \(quoted(from)), \"to\": \(quoted(to)), \"text\": \(quoted(text))\(threadField)}")
        #expect(reply.status == 201, "\(reply.body)")
        return try reply.decode(SimWrittenMessage.self)
    }

    static func inbox(_ platforms: SimulatedPlatforms, _ platform: Platform, user: String) async throws -> [SimInboxMessage] {
        try await control(platforms, .GET, "/orgs/acme/platforms/\(platform.rawValue)/inbox?user=\(user)").decode([SimInboxMessage].self)
    }

    static func consent(_ platforms: SimulatedPlatforms, _ platform: Platform, user: String) async throws -> String {
        let reply = try await control(platforms, .POST, "/orgs/acme/platforms/\(platform.rawValue)/users/\(user)/consent")
        #expect(reply.status == 201)
        return try reply.decode(SimGrantedTokens.self).accessToken
    }

    static func setEventURL(_ platforms: SimulatedPlatforms, _ platform: Platform, _ url: String) async throws -> Reply {
        try await control(platforms, .PUT, "/orgs/acme/platforms/\(platform.rawValue)/event-url", json: "{\"url\": \(quoted(url))}")
    }

    static func deliveries(_ platforms: SimulatedPlatforms, _ platform: Platform) async throws -> [SimEventDelivery] {
        try await control(platforms, .GET, "/event-deliveries?platform=\(platform.rawValue)").decode([SimEventDelivery].self)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// `v0=` hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`), as Slack and Zoom sign.
    static func v0Signature(secret: String, timestamp: String, body: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("v0:\(timestamp):".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        return "v0=" + hex(code)
    }

    /// Checks a Slack- or Zoom-signed request: the signature over its raw body, a fresh timestamp.
    static func expectV0Signed(
        _ request: EventReceiver.Received, secret: String, signature: String, timestamp: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let sent = request.headers[timestamp] ?? ""
        #expect(request.headers[signature] == v0Signature(secret: secret, timestamp: sent, body: request.body), sourceLocation: sourceLocation)
        #expect(abs((Double(sent) ?? 0) - Date().timeIntervalSince1970) < 300, sourceLocation: sourceLocation)
    }
}
