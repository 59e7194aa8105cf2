import Foundation
import HTTPTypes
import Testing

/// Every client mistake is a 4xx problem with a machine-readable code, and changes nothing.
@Suite struct BadInputTests {
    /// A problem+json body (RFC 9457) as the API sends it.
    struct Problem: Decodable {
        struct Field: Decodable { let field: String }
        let type: String
        let code: String
        let title: String
        let detail: String
        let requestId: String
        let errors: [Field]?
    }

    struct Organizations: Decodable {
        struct Organization: Decodable { let id: String }
        let items: [Organization]
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        let uri: String
        var body: String? = nil
        var contentType: String? = nil
        var token: String? = operatorToken
        let status: HTTPResponse.Status
        let code: String
        var field: String? = nil
        /// For a 405: exactly the methods its `Allow` header lists.
        var allow: String? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", method: .post, uri: "/v1/orgs", body: #"{"slug": "x""#, status: .badRequest, code: "malformed_json"),
        Case(name: "JSON that is not an object", method: .post, uri: "/v1/orgs", body: "[1,2]", status: .badRequest, code: "malformed_json"),
        Case(name: "empty body", method: .post, uri: "/v1/orgs", body: "", status: .badRequest, code: "body_required"),
        Case(
            name: "missing field", method: .post, uri: "/v1/orgs", body: #"{"slug":"acme-2"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "name"),
        Case(
            name: "wrong type", method: .post, uri: "/v1/orgs", body: #"{"slug":"acme-2","name":42}"#,
            status: .unprocessableContent, code: "validation_failed", field: "name"),
        Case(
            name: "null field", method: .post, uri: "/v1/orgs", body: #"{"slug":null,"name":"x"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "slug"),
        Case(
            name: "unknown field", method: .post, uri: "/v1/orgs", body: #"{"slug":"acme-2","name":"x","nmae":"y"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "nmae"),
        Case(
            name: "invalid slug", method: .post, uri: "/v1/orgs", body: #"{"slug":"Not A Slug","name":"x"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "slug"),
        Case(
            name: "blank name", method: .patch, uri: "/v1/orgs/acme", body: #"{"name":"  "}"#,
            status: .unprocessableContent, code: "validation_failed", field: "name"),
        Case(
            name: "name too long in characters as PostgreSQL counts them", method: .patch, uri: "/v1/orgs/acme",
            body: #"{"name":"\#(String(repeating: "👨‍👩‍👧‍👦", count: 30))"}"#, status: .unprocessableContent, code: "validation_failed", field: "name"),
        Case(
            name: "NUL in a name", method: .patch, uri: "/v1/orgs/acme", body: #"{"name":"a\u0000b"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "name"),
        Case(
            name: "invalid role", method: .post, uri: "/v1/orgs/acme/keys", body: #"{"name":"k","role":"owner"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "role"),
        Case(
            name: "wrong media type", method: .post, uri: "/v1/orgs", body: "slug=acme", contentType: "application/x-www-form-urlencoded",
            status: .unsupportedMediaType, code: "unsupported_media_type"),
        Case(
            name: "oversized body", method: .post, uri: "/v1/orgs",
            body: #"{"slug":"acme-2","name":"\#(String(repeating: "x", count: 70_000))"}"#, status: .contentTooLarge, code: "body_too_large"),
        Case(name: "bad UUID", method: .delete, uri: "/v1/orgs/acme/keys/not-a-uuid", status: .badRequest, code: "invalid_path_parameter"),
        Case(name: "unknown key", method: .delete, uri: "/v1/orgs/acme/keys/\(UUID())", status: .notFound, code: "api_key_not_found"),
        Case(name: "unknown organization", method: .get, uri: "/v1/orgs/nope", status: .notFound, code: "organization_not_found"),
        Case(name: "unknown route", method: .get, uri: "/v2/nothing", status: .notFound, code: "route_not_found"),
        Case(name: "unknown nested route", method: .get, uri: "/v1/orgs/acme/nothing", status: .notFound, code: "route_not_found"),
        Case(name: "wrong method", method: .put, uri: "/v1/orgs/acme", body: "{}", status: .methodNotAllowed, code: "method_not_allowed"),
        Case(
            name: "wrong method on a fixed path", method: .delete, uri: "/healthz", status: .methodNotAllowed, code: "method_not_allowed",
            allow: "GET"),
        // A literal path beside a parameter one (`/people/{person_id}`) names only its own methods.
        Case(
            name: "wrong method on people/actions", method: .get, uri: "/v1/orgs/acme/people/actions", status: .methodNotAllowed,
            code: "method_not_allowed", allow: "POST"),
        Case(
            name: "wrong method on people/primary", method: .delete, uri: "/v1/orgs/acme/people/primary", status: .methodNotAllowed,
            code: "method_not_allowed", allow: "POST"),
        Case(name: "limit out of range", method: .get, uri: "/v1/orgs?limit=0", status: .badRequest, code: "invalid_query_parameter"),
        Case(name: "limit not a number", method: .get, uri: "/v1/orgs?limit=ten", status: .badRequest, code: "invalid_query_parameter"),
        Case(name: "bad cursor", method: .get, uri: "/v1/orgs?cursor=%%%", status: .badRequest, code: "invalid_cursor"),
        Case(name: "cursor that decodes to NUL", method: .get, uri: "/v1/orgs?cursor=AA", status: .badRequest, code: "invalid_cursor"),
        Case(
            name: "NUL (a control character) in a filter", method: .get, uri: "/v1/orgs/acme/audit?action=%00", status: .badRequest,
            code: "invalid_query_parameter"),
        Case(name: "NUL in a job filter", method: .get, uri: "/v1/orgs/acme/jobs?kind=a%00b", status: .badRequest, code: "invalid_query_parameter"),
        Case(
            name: "NUL in a body's search", method: .post, uri: "/v1/orgs/acme/people/actions",
            body: #"{"action":"reset","filter":{"q":"a\u0000b"}}"#, status: .badRequest, code: "invalid_text"),
        Case(
            name: "unknown query parameter", method: .get, uri: "/v1/orgs/acme/people?primary_platfrom=slack", status: .badRequest,
            code: "unknown_query_parameter"),
        Case(
            name: "unknown platform in a list", method: .get, uri: "/v1/orgs/acme/people?platforms=slack,myspace", status: .badRequest,
            code: "invalid_query_parameter"),
        Case(
            name: "bad boolean", method: .get, uri: "/v1/orgs/acme/keys?include_revoked=maybe", status: .badRequest, code: "invalid_query_parameter"),
        Case(name: "no credentials", method: .get, uri: "/v1/orgs/acme", token: nil, status: .unauthorized, code: "unauthenticated"),
        Case(
            name: "unknown key", method: .get, uri: "/v1/orgs/acme",
            token: "usk_00000000000000000000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", status: .unauthorized, code: "unauthenticated"),
        Case(name: "garbage credentials", method: .get, uri: "/v1/orgs", token: "nonsense", status: .unauthorized, code: "unauthenticated"),
        Case(
            name: "unknown platform", method: .post, uri: "/v1/orgs/acme/connections", body: #"{"platform":"myspace","credentials":{}}"#,
            status: .unprocessableContent, code: "validation_failed", field: "platform"),
        Case(
            name: "missing credential", method: .post, uri: "/v1/orgs/acme/connections",
            body: #"{"platform":"teams","credentials":{"tenant_id":"t"}}"#,
            status: .unprocessableContent, code: "validation_failed", field: "credentials.client_secret"),
        Case(
            name: "credential of another platform", method: .post, uri: "/v1/orgs/acme/connections",
            body: #"{"platform":"slack","credentials":{"bot_token":"x","admin_token":"y"}}"#,
            status: .unprocessableContent, code: "validation_failed", field: "credentials.admin_token"),
        Case(
            name: "credential of the wrong type", method: .post, uri: "/v1/orgs/acme/connections",
            body: #"{"platform":"slack","credentials":{"bot_token":5}}"#,
            status: .unprocessableContent, code: "validation_failed", field: "credentials.bot_token"),
        Case(
            name: "base URL that is not http(s)", method: .post, uri: "/v1/orgs/acme/connections",
            body: #"{"platform":"slack","credentials":{"bot_token":"x"},"api_base_url":"ftp://files.example"}"#,
            status: .unprocessableContent, code: "validation_failed", field: "api_base_url"),
        Case(name: "bad connection id", method: .get, uri: "/v1/orgs/acme/connections/42", status: .badRequest, code: "invalid_path_parameter"),
        Case(
            name: "unknown connection", method: .post, uri: "/v1/orgs/acme/connections/\(UUID())/imports", status: .notFound,
            code: "connection_not_found"),
        Case(name: "unknown import", method: .get, uri: "/v1/orgs/acme/imports/\(UUID())", status: .notFound, code: "import_not_found"),
        Case(
            name: "empty team selection", method: .post, uri: "/v1/orgs/acme/connections/\(UUID())/teams/selection", body: "{}",
            status: .unprocessableContent, code: "validation_failed", field: "select"),
        Case(name: "bad people cursor", method: .get, uri: "/v1/orgs/acme/people?cursor=bm9wZQ", status: .badRequest, code: "invalid_cursor"),
    ]

    @Test(arguments: cases)
    func isAClearClientError(_ c: Case) async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let before = try await api.call(.get, "/v1/orgs/acme").text
            var headers: HTTPFields = [:]
            if let contentType = c.contentType { headers[.contentType] = contentType }
            let reply = try await api.call(c.method, c.uri, token: c.token, json: c.body, headers: headers)
            #expect(reply.status == c.status, "\(reply.text)")
            let problem = try reply.decode(Problem.self)
            #expect(problem.code == c.code, "\(reply.text)")
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(problem.type == "urn:usersync:problem:\(c.code)")
            #expect(!problem.title.isEmpty && !problem.detail.isEmpty)
            #expect(problem.requestId == reply.headers[.init("X-Request-Id")!])
            if let field = c.field {
                #expect((problem.errors ?? []).contains { $0.field == field }, "\(reply.text)")
            }
            if c.status == .methodNotAllowed { #expect(reply.headers[.allow] != nil) }
            if let allow = c.allow { #expect(reply.headers[.allow] == allow) }
            // Nothing that was stored changed, and no second organization appeared.
            #expect(try await api.call(.get, "/v1/orgs/acme").text == before)
            #expect(try await api.call(.get, "/v1/orgs").decode(Organizations.self).items.count == 1)
        }
    }

    @Test("an empty query parameter is refused on every route, and nothing changes")
    func emptyQueryParametersAreRefused() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            for uri in [
                "/v1/orgs/acme/audit?cursor=", "/v1/orgs/acme/audit?until=", "/v1/orgs/acme/keys?include_revoked=",
                "/v1/orgs/acme/people?q=", "/v1/orgs/acme/people?connection_id=", "/v1/orgs/acme/jobs?kind=", "/v1/orgs?limit=",
            ] {
                let reply = try await api.call(.get, uri)
                #expect(reply.status == .badRequest, "\(uri): \(reply.text)")
                #expect(try reply.decode(ProblemReply.self).code == "invalid_query_parameter", "\(uri)")
            }
        }
    }
}
