import Foundation
import HTTPTypes
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncTestSupport

/// A connection's base URLs name only hosts the operator allows, outside the network: no
/// tenant admin can point the service, with credentials, at the deployment's own network.
@Suite("Platform base URLs stay outside the network")
struct OutboundHostTests {
    /// DNS, the one part here outside our control: two names the operator allowed resolve inside
    /// the network (one of them only partly), Slack's public name to a public address (this
    /// machine may have no DNS for it), and every other name goes to the system's resolver.
    struct Resolver: HostResolver {
        func addresses(of host: String) async -> [IPAddress] {
            switch host {
            case "slack.com": [IPAddress("52.96.0.1")!]
            case "hooks.internal.example": [IPAddress("10.1.2.3")!]
            case "rebound.internal.example": [IPAddress("52.96.0.1")!, IPAddress("169.254.169.254")!]
            default: await SystemHostResolver().addresses(of: host)
            }
        }
    }

    /// The public defaults, plus hosts an operator allowed for Slack by mistake.
    static var settings: ConnectorSettings {
        var settings = SimulatedPlatforms.testSettings
        var hosts = OutboundHostPolicy.publicHosts
        hosts[.slack]! += ["*.internal.example", "localhost", "169.254.169.254"]
        settings.outbound = OutboundGuard(policy: OutboundHostPolicy(hosts: hosts), resolver: Resolver())
        return settings
    }

    struct Case: Sendable, CustomStringConvertible {
        let field: String, url: String, code: String
        var description: String { "\(field) \(url) → \(code)" }
    }

    static let cases = [
        Case(field: "api_base_url", url: "https://evil.example.com/api", code: "host_not_allowed"),
        Case(field: "api_base_url", url: "https://graph.microsoft.com/v1.0", code: "host_not_allowed"),
        Case(field: "api_base_url", url: "http://slack.com/api", code: "insecure_url"),
        Case(field: "api_base_url", url: "https://hooks.internal.example/api", code: "internal_address"),
        Case(field: "api_base_url", url: "https://rebound.internal.example/api", code: "internal_address"),
        Case(field: "api_base_url", url: "https://localhost:8443/api", code: "internal_address"),
        Case(field: "api_base_url", url: "https://169.254.169.254/latest", code: "internal_address"),
        Case(field: "api_base_url", url: "https://[::ffff:127.0.0.1]/api", code: "host_not_allowed"),
        Case(field: "api_base_url", url: "https://user:pw@slack.com/api", code: "invalid_url"),
        Case(field: "auth_base_url", url: "https://evil.example.com", code: "host_not_allowed"),
        Case(field: "auth_base_url", url: "https://hooks.internal.example", code: "internal_address"),
    ]

    @Test("a refused base URL is a 422 naming the field, and nothing is stored", arguments: cases)
    func refusedOnConnect(_ c: Case) async throws {
        try await withSimulatedAPI(connectors: Self.settings, worker: false) { api in
            try await api.createOrganization("acme")
            let body = #"{"platform":"slack","credentials":{"bot_token":"xoxb-1"},"\#(c.field)":"\#(c.url)"}"#
            let reply = try await api.call(.post, "/v1/orgs/acme/connections", json: body)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            let problem = try reply.decode(ProblemReply.self)
            #expect(problem.code == "validation_failed")
            #expect(problem.errors?.map(\.field) == [c.field])
            #expect(problem.errors?.map(\.code) == [c.code], "\(reply.text)")
            #expect(api.platforms!.simulator.calls(.slack, "auth.test") == 0)
            #expect(try await api.call(.get, "/v1/orgs/acme/connections").decode(Page<ConnectionView>.self).items.isEmpty)
        }
    }

    @Test("moving a stored connection to a refused URL is refused, and the stored URL stays")
    func refusedOnUpdate() async throws {
        try await withSimulatedAPI(connectors: Self.settings, worker: false) { api in
            let org = try await api.createOrganization("acme")
            let id = UUID()
            // A connection stored while the operator still allowed its host.
            _ = try await api.db.admin.client.withConnection { c in
                try await c.query(
                    """
                    INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, credentials,
                        credentials_key_id, api_base_url)
                    VALUES (\(UUID(uuidString: org.id)!), \(id), 'slack', 'Slack', 'T1', '\\x00'::bytea, 'k1', 'https://slack.com/api')
                    """, logger: api.db.logger)
            }
            let reply = try await api.call(
                .patch, "/v1/orgs/acme/connections/\(id)", json: #"{"api_base_url":"https://hooks.internal.example/api"}"#)
            #expect(reply.status == .unprocessableContent, "\(reply.text)")
            #expect(try reply.decode(ProblemReply.self).errors?.map(\.code) == ["internal_address"])
            #expect(try await api.call(.get, "/v1/orgs/acme/connections/\(id)").decode(ConnectionView.self).apiBaseUrl == "https://slack.com/api")
        }
    }
}
