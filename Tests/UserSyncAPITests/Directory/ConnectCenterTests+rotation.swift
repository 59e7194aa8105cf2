import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// Rotating a connection's credentials.
extension ConnectCenterTests {
    @Test(
        "rotating credentials: good ones are verified and kept, bad ones are refused and the old ones stay, a reconnect never duplicates a workspace")
    func rotation() async throws {
        try await withSimulatedAPI(organizations: [("acme", 20)], worker: false) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let good = try jsonText(["credentials": try Self.connectionBody(api, .slack).credentials])
            let rotated = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: good)
            #expect(try rotated.status == .ok && rotated.decode(ConnectionView.self).health.state == "connected", "\(rotated.text)")

            let refused = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: #"{"credentials":{"bot_token":"xoxb-wrong"}}"#)
            #expect(
                try refused.status == .unprocessableContent && refused.decode(ProblemReply.self).code == "credentials_rejected", "\(refused.text)")
            let verified = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/verify")
            #expect(try verified.decode(ConnectionView.self).health.state == "connected", "the old credentials still work: \(verified.text)")

            // Disconnected, then connected again as a new connection: reconnecting the old one
            // would connect the workspace twice.
            #expect(try await api.call(.delete, "/v1/orgs/acme/connections/\(slack)").status == .ok)
            _ = try await api.connect(.slack)
            let twice = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: good)
            #expect(try twice.status == .conflict && twice.decode(ProblemReply.self).code == "workspace_already_connected", "\(twice.text)")
        }
    }

    @Test("credentials of another workspace cannot replace a connection's")
    func rotationKeepsTheWorkspace() async throws {
        try await withSimulatedAPI(organizations: [("acme", 20), ("globex", 20)], worker: false) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let body = try jsonText(["credentials": try Self.connectionBody(api, .slack, organization: "globex").credentials])
            let reply = try await api.call(.patch, "/v1/orgs/acme/connections/\(slack)", json: body)
            #expect(reply.status == .unprocessableContent)
            #expect(try reply.decode(ProblemReply.self).errors?.first?.code == "workspace_mismatch")
        }
    }
}

extension ConnectCenterTests {
    /// The organization's connections (one page).
    static func connections(_ api: API, query: String = "") async throws -> [ConnectionView] {
        let reply = try await api.call(.get, "/v1/orgs/acme/connections\(query)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(Page<ConnectionView>.self).items
    }

    static func connection(_ api: API, _ id: String) async throws -> ConnectionView {
        let reply = try await api.call(.get, "/v1/orgs/acme/connections/\(id)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(ConnectionView.self)
    }

    /// The simulator's body that connects `platform` of a simulated organization.
    static func connectionBody(_ api: API, _ platform: Platform, organization: String = "acme") throws -> UserSyncConnectionBody {
        try JSONDecoder().decode(UserSyncConnectionBody.self, from: Data(api.platforms!.connectionBody(platform, organization: organization).utf8))
    }

    /// The teams UserSync knows of a connection.
    static func teams(_ api: API, _ connection: String, query: String = "") async throws -> [TeamView] {
        let reply = try await api.call(.get, "/v1/orgs/acme/connections/\(connection)/teams\(query)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(Page<TeamView>.self).items
    }
}
