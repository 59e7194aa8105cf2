import Foundation
import HTTPTypes
import Testing

/// Client mistakes get the SCIM error Entra and Okta act on (status and `scimType`), never a
/// 500 or problem details, and a refused request changes nothing.
@Suite struct ScimBadInputTests {
    @Test func filtersOutsideTheSupportedFormAreInvalidFilter() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            for filter in [#"userName eq "unterminated"#, #"userName eq"#, #"(userName eq "a""#, #"userName eq "a" and"#] {
                #expect(try await api.scim(.get, "/Users?\(scimFilter(filter))", token: token).isError(.badRequest, "invalidFilter"), "\(filter)")
            }
            for filter in [#"title eq "boss""#, #"userName co "a""#, #"userName eq "a" or userName eq "b""#, #"active eq "maybe""#, "userName pr"] {
                #expect(try await api.scim(.get, "/Users?\(scimFilter(filter))", token: token).isError(.badRequest, "invalidFilter"), "\(filter)")
            }
            #expect(try await api.scim(.get, "/Groups?\(scimFilter(#"owner eq "x""#))", token: token).isError(.badRequest, "invalidFilter"))
            #expect(try await api.scim(.get, "/Users?startIndex=first", token: token).isError(.badRequest, "invalidValue"))
        }
    }

    @Test func malformedBodiesAndPatchesAreRefusedWithTheirScimType() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let ada = try await api.scimUser("ada@acme.test", displayName: "Ada", token: token)
            let group = try await api.scimGroup("Engineering", token: token)

            #expect(try await api.scim(.post, "/Users", token: token, body: #"{"userName": "#).isError(.badRequest, "invalidSyntax"))
            #expect(try await api.scim(.post, "/Users", token: token, body: "").isError(.badRequest, "invalidSyntax"))
            #expect(try await api.scim(.post, "/Users", token: token, body: #"{"displayName":"No name"}"#).isError(.badRequest, "invalidValue"))
            #expect(try await api.scim(.post, "/Groups", token: token, body: "[]").isError(.badRequest, "invalidSyntax"))
            let long = String(repeating: "x", count: 600)
            #expect(try await api.scim(.post, "/Users", token: token, body: #"{"userName":"\#(long)"}"#).isError(.badRequest, "invalidValue"))

            let badPath = try API.patch([["op": "replace", "path": "nickname[", "value": "x"]])
            #expect(try await api.scim(.patch, "/Users/\(ada)", token: token, body: badPath).isError(.badRequest, "invalidPath"))
            let unknownAttribute = try API.patch([["op": "replace", "path": "favouriteColour", "value": "x"]])
            #expect(try await api.scim(.patch, "/Users/\(ada)", token: token, body: unknownAttribute).isError(.badRequest, "invalidPath"))
            let badOp = try API.patch([["op": "Merge", "path": "displayName", "value": "x"]])
            #expect(try await api.scim(.patch, "/Users/\(ada)", token: token, body: badOp).isError(.badRequest, "invalidSyntax"))
            #expect(try await api.scim(.patch, "/Groups/\(group)", token: token, body: badOp).isError(.badRequest, "invalidSyntax"))
            let noEnvelope = #"{"Operations":[{"op":"replace","path":"active","value":false}]}"#
            #expect(try await api.scim(.patch, "/Users/\(ada)", token: token, body: noEnvelope).isError(.badRequest, "invalidSyntax"))

            // A bad second operation: the first is not applied either.
            let halfBad = try API.patch([
                ["op": "Replace", "path": "displayName", "value": "Countess"], ["op": "Replace", "path": "active", "value": "perhaps"],
            ])
            #expect(try await api.scim(.patch, "/Users/\(ada)", token: token, body: halfBad).isError(.badRequest, "invalidValue"))
            #expect(try await api.scim(.get, "/Users/\(ada)", token: token).decode(ScimReply.User.self).displayName == "Ada")
            let halfBadGroup = try API.patch([
                ["op": "Add", "path": "members", "value": [["value": .string(ada)]]], ["op": "Remove", "path": "members[type eq \"User\"]"],
            ])
            #expect(try await api.scim(.patch, "/Groups/\(group)", token: token, body: halfBadGroup).isError(.badRequest, "invalidPath"))
            // A member that is no user of this endpoint: refused after the first was added, and taken back.
            let unknownMember = try API.patch([
                ["op": "Add", "path": "members", "value": [["value": .string(ada)]]],
                ["op": "Add", "path": "members", "value": [["value": "nobody"]]],
            ])
            #expect(try await api.scim(.patch, "/Groups/\(group)", token: token, body: unknownMember).isError(.badRequest, "invalidValue"))
            #expect(try await api.storedMembers(group).isEmpty)
            let before = try await api.storedScimRows()
            let withStranger = #"{"displayName":"Sales","members":[{"value":"\#(ada)"},{"value":"stranger"}]}"#
            let refused = try await api.scim(.post, "/Groups", token: token, body: withStranger)
            #expect(refused.isError(.badRequest, "invalidValue") && refused.text.contains("stranger"), "\(refused.text)")
            #expect(try await api.storedScimRows() == before, "no group was stored")
        }
    }

    @Test func duplicatesAreUniquenessConflicts() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let ada = try await api.scimUser("Ada@Acme.test", token: token)
            let grace = try await api.scimUser("grace@acme.test", token: token)
            let again = try await api.scim(.post, "/Users", token: token, body: #"{"userName":"ada@ACME.test"}"#)
            #expect(again.isError(.conflict, "uniqueness") && again.text.contains("ada@ACME.test"), "\(again.text)")
            let rename = try API.patch([["op": "replace", "path": "userName", "value": "ADA@acme.test"]])
            #expect(try await api.scim(.patch, "/Users/\(grace)", token: token, body: rename).isError(.conflict, "uniqueness"))
            #expect(
                try await api.scim(.put, "/Users/\(grace)", token: token, body: #"{"userName":"ada@acme.test"}"#).isError(.conflict, "uniqueness"))
            // The same user may change its userName's case.
            #expect(try await api.scim(.put, "/Users/\(ada)", token: token, body: #"{"userName":"ada@acme.test"}"#).status == .ok)

            let engineering = try await api.scimGroup("Engineering", token: token)
            let taken = try await api.scim(.post, "/Groups", token: token, body: #"{"displayName":"ENGINEERING"}"#)
            #expect(taken.isError(.conflict, "uniqueness") && taken.text.contains("ENGINEERING"), "\(taken.text)")
            let sales = try await api.scimGroup("Sales", token: token)
            let clash = try API.patch([["op": "replace", "path": "displayName", "value": "engineering"]])
            #expect(try await api.scim(.patch, "/Groups/\(sales)", token: token, body: clash).isError(.conflict, "uniqueness"))
            #expect(try await api.scim(.get, "/Groups/\(engineering)", token: token).decode(ScimReply.Group.self).displayName == "Engineering")
        }
    }

    @Test func unknownIdsRoutesMethodsAndMediaTypes() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let user = #"{"userName":"x@acme.test"}"#, patch = try API.patch([["op": "replace", "path": "displayName", "value": "x"]])
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/Users/\(UUID())", nil), (.put, "/Users/nope", user), (.patch, "/Users/nope", patch),
                (.delete, "/Users/nope", nil),
                (.get, "/Groups/nope", nil), (.put, "/Groups/nope", #"{"displayName":"x"}"#), (.patch, "/Groups/nope", patch),
                (.delete, "/Groups/nope", nil),
                (.get, "/Devices", nil), (.get, "", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let reply = try await api.scim(method, path, token: token, body: body)
                #expect(reply.isError(.notFound), "\(method) \(path): \(reply.status) \(reply.text)")
            }
            let wrongMethod = try await api.scim(.post, "/Users/\(UUID())", token: token, body: user)
            #expect(wrongMethod.isError(.methodNotAllowed) && wrongMethod.headers[.allow] == "DELETE, GET, PATCH, PUT", "\(wrongMethod.text)")
            #expect(try await api.scim(.delete, "/Users", token: token).isError(.methodNotAllowed))

            #expect(try await api.scim(.post, "/Users", token: token, body: user, contentType: "text/plain").isError(.unsupportedMediaType))
            #expect(try await api.scim(.post, "/Users", token: token, body: user, contentType: "application/json; charset=utf-8").status == .created)
            #expect(try await api.scim(.post, "/Users", token: token, body: #"{"userName":"y@acme.test"}"#, contentType: nil).status == .created)
        }
    }

    /// A body over the limit is refused, in SCIM's shape, before it is read whole. (The limit is
    /// the deployment's, USERSYNC_MAX_BODY_BYTES: 64 KiB in these tests.)
    @Test func oversizedBodiesAreRefused() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let members = (0..<3_000).map { _ in #"{"value":"\#(UUID().uuidString)"}"# }.joined(separator: ",")
            let reply = try await api.scim(.post, "/Groups", token: token, body: #"{"displayName":"Big","members":[\#(members)]}"#)
            #expect(reply.isError(.contentTooLarge), "\(reply.text)")
            #expect(try await api.storedScimRows() == 0)
        }
    }
}
