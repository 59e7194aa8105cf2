import Crypto
import Foundation
import HTTPTypes
import Testing
import UserSyncTesting

/// The relay's events are verified against a connection the process read lately, from memory, and
/// a change to the connection takes effect the moment the database announces it, whoever made it:
/// the API, another process, plain SQL.
@Suite struct ConnectionCacheTests {
    /// Slack's `url_verification` handshake for `connection`, signed with the workspace's signing
    /// secret.
    func handshake(_ api: API, organization: String, connection: String) async throws -> Reply {
        let secret = try #require(api.simulator.summary(organization: "acme")).credentials.slack.signingSecret
        let body = #"{"type":"url_verification","challenge":"ping"}"#, timestamp = Int(Date().timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("v0:\(timestamp):\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let headers: HTTPFields = [
            HTTPField.Name("X-Slack-Request-Timestamp")!: "\(timestamp)",
            HTTPField.Name("X-Slack-Signature")!: "v0=" + mac.map { String(format: "%02x", $0) }.joined(),
        ]
        return try await api.call(.post, "/events/slack/\(organization)/\(connection)", token: nil, json: body, headers: headers)
    }

    @Test func aConnectionIsReadFromMemoryUntilTheDatabaseAnnouncesItsChange() async throws {
        try await withSimulatedAPI(worker: false) { api in
            let organization = try await api.createOrganization("acme").id
            let connection = try await api.connect(.slack)
            let answered = try await handshake(api, organization: organization, connection: connection)
            #expect(answered.status == .ok && answered.text == "ping", "\(answered.text)")
            #expect(api.connections.count == 1)

            // Disconnected behind the service's back, with nothing announced: memory still has it.
            try await api.sql("ALTER TABLE platform_connections DISABLE TRIGGER USER")
            try await api.sql(
                "UPDATE platform_connections SET health = 'disconnected', disconnected_at = now(), credentials = ''::bytea WHERE id = '\(connection)'"
            )
            #expect(try await handshake(api, organization: organization, connection: connection).status == .ok)

            // The announcement any change makes (sql/0036): refused from then on.
            try await api.sql("NOTIFY usersync_access, 'connection:\(connection)'")
            try await eventually { try await handshake(api, organization: organization, connection: connection).status == .notFound }
        }
    }

    @Test func aChangeElsewhereIsHeardAndOneThroughTheAPIHoldsFromItsAnswer() async throws {
        try await withSimulatedAPI(worker: false) { api in
            let organization = try await api.createOrganization("acme").id
            let connection = try await api.connect(.slack)
            #expect(try await handshake(api, organization: organization, connection: connection).status == .ok)

            // Another process (plain SQL here) disconnects it.
            try await api.sql(
                "UPDATE platform_connections SET health = 'disconnected', disconnected_at = now(), credentials = ''::bytea WHERE id = '\(connection)'"
            )
            try await eventually { try await handshake(api, organization: organization, connection: connection).status == .notFound }

            // Reconnected and disconnected through the API: each holds from the API's answer on.
            let credentials = try jsonText(["credentials": try ConnectCenterTests.connectionBody(api, .slack).credentials])
            let reconnect = try await api.call(.patch, "/v1/orgs/acme/connections/\(connection)", json: credentials)
            #expect(reconnect.status == .ok, "\(reconnect.text)")
            #expect(try await handshake(api, organization: organization, connection: connection).status == .ok)
            #expect(try await api.call(.delete, "/v1/orgs/acme/connections/\(connection)").status == .ok)
            #expect(try await handshake(api, organization: organization, connection: connection).status == .notFound)
        }
    }
}
