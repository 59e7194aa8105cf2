import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing
import UserSyncDomain

/// What the service logs while it serves requests: every line of a request carries its request
/// id, and no secret ever reaches a line.
@Suite struct LoggingTests {
    /// The secrets in a connection request's body.
    struct ConnectionBody: Decodable { let credentials: [String: String] }

    /// Keeps every record logged through it, rendered as one string with its metadata.
    final class Capture: Sendable {
        let lines = Mutex<[(text: String, metadata: [String: String])]>([])

        struct Handler: LogHandler {
            let capture: Capture
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                var all = metadata
                all.merge(event.metadata ?? [:]) { $1 }
                let flat = all.mapValues { "\($0)" }
                capture.lines.withLock { $0.append(("\(event.level) \(event.message) \(flat)", flat)) }
            }
        }
    }

    @Test("every log line of a request carries its request id, platform calls included, and no secret is logged")
    func requestLogs() async throws {
        let capture = Capture()
        var logger = Logger(label: "usersync.test") { _ in Capture.Handler(capture: capture) }
        logger.logLevel = .trace
        let secrets = Mutex<[String]>([operatorToken])
        try await withSimulatedAPI(worker: false, logger: logger) { api in
            try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            secrets.withLock { $0.append(key.secret) }
            let body = api.platforms!.connectionBody(.slack, organization: "acme")
            let credentials = try JSONDecoder().decode(ConnectionBody.self, from: Data(body.utf8)).credentials
            try #require(!credentials.isEmpty, "\(body)")
            secrets.withLock { $0.append(contentsOf: credentials.values) }
            #expect(try await api.call(.post, "/v1/orgs/acme/connections", token: key.secret, json: body).status == .created)
            #expect(try await api.call(.post, "/v1/orgs", json: "{oops").status == .badRequest)
            #expect(try await api.call(.get, "/v1/orgs/acme", token: "usk_nonsense").status == .unauthorized)
        }
        let lines = capture.lines.withLock { $0 }
        #expect(lines.contains { $0.metadata["platform"] == "slack" }, "the platform calls of the connect request were logged")
        let anonymous = lines.filter { $0.metadata["request_id"] == nil }
        #expect(anonymous.isEmpty, "lines without a request id: \(anonymous.map(\.text).prefix(5))")
        for secret in secrets.withLock({ $0 }) where !secret.isEmpty {
            let leaks = lines.filter { $0.text.contains(secret) }
            #expect(leaks.isEmpty, "a secret was logged: \(leaks.map(\.text).prefix(3))")
        }
    }
}
