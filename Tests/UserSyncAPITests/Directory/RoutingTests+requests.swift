import Foundation
import HTTPTypes
import Testing
import UserSyncDomain

/// Requests to the routes that are not questions of routing: bad parameters, and who may ask.
extension RoutingTests {

    struct BadQuery: Sendable, CustomTestStringConvertible {
        var name: String
        var query: String
        /// A word the problem's detail must contain: the parameter at fault.
        var names: String
        var testDescription: String { name }
    }

    static let badQueries: [BadQuery] = [
        BadQuery(name: "no parameters", query: "", names: "from_platform"),
        BadQuery(name: "from_platform missing", query: "from_account=U1&to_email=a%40b.c", names: "from_platform"),
        BadQuery(name: "from_platform unknown", query: "from_platform=discord&from_account=U1&to_email=a%40b.c", names: "slack"),
        BadQuery(name: "from_platform empty", query: "from_platform=&from_account=U1&to_email=a%40b.c", names: "from_platform"),
        BadQuery(name: "from_platform in capitals", query: "from_platform=SLACK&from_account=U1&to_email=a%40b.c", names: "from_platform"),
        BadQuery(name: "from_account missing", query: "from_platform=slack&to_email=a%40b.c", names: "from_account"),
        BadQuery(name: "from_account empty", query: "from_platform=slack&from_account=&to_email=a%40b.c", names: "from_account"),
        BadQuery(name: "no recipient", query: "from_platform=slack&from_account=U1", names: "to_email"),
        BadQuery(
            name: "both to_email and to_person",
            query: "from_platform=slack&from_account=U1&to_email=a%40b.c&to_person=6f1c1c9e-1b7e-4a4e-9d3e-2f4f8f0c8a11", names: "to_person"),
        BadQuery(name: "to_email empty", query: "from_platform=slack&from_account=U1&to_email=", names: "to_email"),
        BadQuery(name: "to_email blank", query: "from_platform=slack&from_account=U1&to_email=%20%20", names: "to_email"),
        BadQuery(name: "to_person not a UUID", query: "from_platform=slack&from_account=U1&to_person=42", names: "to_person"),
        BadQuery(
            name: "from_connection not a UUID", query: "from_platform=slack&from_account=U1&to_email=a%40b.c&from_connection=slack",
            names: "from_connection"),
    ]

    @Test("bad parameters are a 400 naming the parameter", arguments: badQueries)
    func badParameters(_ bad: BadQuery) async throws {
        let fixture = try #require(RoutingOrganization.current)
        let reply = try await fixture.api.call(.get, "/v1/orgs/acme/routes?\(bad.query)")
        #expect(reply.status == .badRequest, "\(reply.text)")
        let problem = try reply.decode(ProblemReply.self)
        #expect(problem.code == "invalid_query_parameter", "\(reply.text)")
        #expect(problem.detail.contains(bad.names), "\(reply.text)")
    }

    enum Caller: String, Sendable, CaseIterable {
        case admin, viewer, otherOrganization, otherOrganizationAskingItsOwn, noKey, wrongKey
    }

    @Test("who may ask", arguments: Caller.allCases)
    func access(_ caller: Caller) async throws {
        let fixture = try #require(RoutingOrganization.current)
        let api = fixture.api
        let teamsOnly = fixture.member(.teamsOnly)
        let question =
            "routes?from_platform=slack&from_account=\(Self.encoded(fixture.member(.linked).accounts[.slack]!.platformUserID))"
            + "&to_person=\(teamsOnly.id)"
        let admin = try await api.createKey("acme")
        let asAdmin = try await api.call(.get, "/v1/orgs/acme/\(question)", token: admin.secret)
        #expect(asAdmin.status == .ok, "\(asAdmin.text)")
        #expect(try asAdmin.decode(RouteView.self).sendAs.kind == "linked_account")
        switch caller {
        case .admin:
            break
        case .viewer:
            let reply = try await api.call(.get, "/v1/orgs/acme/\(question)", token: fixture.viewerKey)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.text == asAdmin.text, "a viewer reads the same answer")
        case .otherOrganization:
            let reply = try await api.call(.get, "/v1/orgs/acme/\(question)", token: fixture.otherOrganizationKey)
            #expect(reply.status == .notFound, "\(reply.text)")
            #expect(try reply.decode(ProblemReply.self).code == "organization_not_found", "\(reply.text)")
            #expect(!reply.text.contains(teamsOnly.email) && !reply.text.contains(teamsOnly.id))
        case .otherOrganizationAskingItsOwn:
            // globex's own routes know nothing of acme's accounts or people.
            let reply = try await api.call(.get, "/v1/orgs/globex/\(question)", token: fixture.otherOrganizationKey)
            #expect(reply.status == .conflict, "\(reply.text)")
            #expect(try reply.decode(ProblemReply.self).code == "sender_unknown", "\(reply.text)")
            let byEmail = question.replacingOccurrences(of: "to_person=\(teamsOnly.id)", with: "to_email=\(Self.encoded(teamsOnly.email))")
            let byEmailReply = try await api.call(.get, "/v1/orgs/globex/\(byEmail)", token: fixture.otherOrganizationKey)
            #expect(
                try byEmailReply.status == .conflict && byEmailReply.decode(ProblemReply.self).code == "sender_unknown", "\(byEmailReply.text)")
            #expect(!byEmailReply.text.contains(teamsOnly.id))
        case .noKey:
            let reply = try await api.call(.get, "/v1/orgs/acme/\(question)", token: nil)
            #expect(reply.status == .unauthorized, "\(reply.text)")
            #expect(try !reply.decode(ProblemReply.self).code.isEmpty, "\(reply.text)")
        case .wrongKey:
            let reply = try await api.call(.get, "/v1/orgs/acme/\(question)", token: "usk_not_a_key")
            #expect(reply.status == .unauthorized, "\(reply.text)")
            #expect(try !reply.decode(ProblemReply.self).code.isEmpty, "\(reply.text)")
        }
    }
}
