import Foundation
import Testing

/// Users as an identity provider sees them: the resource it sent back with `meta`, found by the
/// filters Entra and Okta send, paged, replaced, deactivated and deleted; and the email Auto
/// Sync matches people by.
@Suite struct ScimUserTests {
    @Test func aCreatedUserComesBackAsSentWithMeta() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let body = #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "externalId":"0a1b","userName":"Ada.Lovelace@Acme.test","active":true,"displayName":"Ada Lovelace",
                 "name":{"givenName":"Ada","familyName":"Lovelace","formatted":"Ada King, Countess of Lovelace"},
                 "emails":[{"value":"ada@home.test","type":"home"},{"value":" Ada@Acme.Test ","type":"work","primary":true}],
                 "title":"Analyst","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Engines"}}
                """#
            let created = try await api.scim(.post, "/Users", token: token, body: body)
            #expect(created.status == .created && created.contentType == "application/scim+json", "\(created.text)")
            let id = created.id
            #expect(UUID(uuidString: id) != nil && id == id.lowercased())
            let location = "http://usersync.test/scim/v2/acme/Users/\(id)"
            #expect(created.headers[.location] == location)
            #expect(created.schemas == ["urn:ietf:params:scim:schemas:core:2.0:User"])
            let user = try created.decode(ScimReply.User.self)
            #expect(user.userName == "Ada.Lovelace@Acme.test" && user.externalId == "0a1b")
            #expect(user.displayName == "Ada Lovelace" && user.active == true)
            #expect(user.name == ["givenName": "Ada", "familyName": "Lovelace", "formatted": "Ada King, Countess of Lovelace"])
            let emails = user.emails ?? []
            #expect(emails.count == 1 && emails[0].value == " Ada@Acme.Test " && emails[0].type == "work")
            let meta = try #require(user.meta)
            #expect(meta.resourceType == "User" && meta.location == location)
            #expect(meta.created != nil && meta.lastModified != nil && meta.version == "W/\"1\"")
            #expect(!created.keys.contains("title"), "attributes the endpoint does not keep are not echoed")
            // Auto Sync matches by the primary address, normalized.
            #expect(try await api.storedUser(id)?.email == "ada@acme.test")

            let read = try await api.scim(.get, "/Users/\(id)", token: token)
            #expect(read.status == .ok && read.text == created.text)
            let projected = try await api.scim(.get, "/Users/\(id)?attributes=userName,name.givenName", token: token)
            #expect(
                try projected.keys == ["schemas", "id", "userName", "name"] && projected.decode(ScimReply.User.self).name == ["givenName": "Ada"])
            let without = try await api.scim(.get, "/Users/\(id)?excludedAttributes=emails,meta", token: token)
            #expect(!without.keys.contains("emails") && !without.keys.contains("meta") && without.keys.contains("userName"))
        }
    }

    @Test func theMatchingEmailFallsBackToAnEmailShapedUserName() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let upn = try await api.scimUser("Grace.Hopper@Acme.test", token: token)
            let login = try await api.scimUser("ghopper", token: token)
            #expect(try await api.storedUser(upn)?.email == "grace.hopper@acme.test")
            #expect(try await api.storedUser(login)?.email == nil)
            // An email sent later wins over the userName; removing it falls back again.
            let add = try API.patch([["op": "add", "path": "emails[type eq \"work\"].value", "value": "grace@navy.test"]])
            #expect(try await api.scim(.patch, "/Users/\(upn)", token: token, body: add).status == .ok)
            #expect(try await api.storedUser(upn)?.email == "grace@navy.test")
            let remove = try API.patch([["op": "remove", "path": "emails[type eq \"work\"].value"]])
            #expect(try await api.scim(.patch, "/Users/\(upn)", token: token, body: remove).keys.contains("emails") == false)
            #expect(try await api.storedUser(upn)?.email == "grace.hopper@acme.test")
        }
    }

    @Test func filtersFindUsersTheWayEntraAndOktaAsk() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let ada = try await api.scimUser("Ada@Acme.test", email: "Ada.L@Acme.test", externalId: "E-1", displayName: "Ada L", token: token)
            let grace = try await api.scimUser("grace@acme.test", externalId: "E-2", active: false, token: token)
            let found = { (filter: String) in
                try await api.scim(.get, "/Users?\(scimFilter(filter))", token: token).resourceIDs
            }
            #expect(try await found(#"userName eq "ada@ACME.test""#) == [ada])
            #expect(try await found(#"externalId eq "E-1""#) == [ada])
            #expect(try await found(#"externalId eq "e-1""#) == [], "externalId is case-exact")
            #expect(try await found(#"emails[type eq "work"].value eq "ada.l@acme.test""#) == [ada])
            #expect(try await found(#"emails.value eq "grace@acme.test""#) == [], "grace has no email, only an email-shaped userName")
            #expect(try await found(#"displayName eq "ada l""#) == [ada])
            #expect(try await found(#"id eq "\#(grace)""#) == [grace])
            #expect(try await found("active eq false") == [grace])
            #expect(try await found(#"active eq "True" and userName eq "ada@acme.test""#) == [ada])
            #expect(try await found(#"userName eq "ada@acme.test" and userName eq "grace@acme.test""#) == [])
            // No match is an empty ListResponse, not a 404.
            let none = try await api.scim(.get, "/Users?\(scimFilter(#"userName eq "nobody@acme.test""#))", token: token)
            let empty = try none.decode(ScimReply.List<ScimReply.User>.self)
            #expect(none.status == .ok && empty.totalResults == 0 && empty.resources.isEmpty && empty.itemsPerPage == 0)
            // Okta's probe, form-encoded with '+' for spaces and %2B for a plus.
            let plus = try await api.scimUser("ada+test@acme.test", token: token)
            let okta = try await api.scim(.get, "/Users?filter=userName+eq+%22ada%2Btest%40acme.test%22&startIndex=1&count=2", token: token)
            #expect(okta.resourceIDs == [plus], "\(okta.text)")
        }
    }

    @Test func listsArePagedFromOne() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            var ids: [String] = []
            for n in 1...5 { ids.append(try await api.scimUser("user\(n)@acme.test", token: token)) }
            let page = { (query: String) in
                try await api.scim(.get, "/Users?\(query)", token: token).decode(ScimReply.List<ScimReply.User>.self)
            }
            let second = try await page("startIndex=3&count=2")
            #expect(second.totalResults == 5 && second.startIndex == 3 && second.itemsPerPage == 2)
            #expect(second.resources.map(\.id) == Array(ids[2..<4]))
            let countOnly = try await page("count=0")
            #expect(countOnly.totalResults == 5 && countOnly.resources.isEmpty)
            let past = try await page("startIndex=9")
            #expect(past.totalResults == 5 && past.resources.isEmpty && past.startIndex == 9)
            let all = try await page("startIndex=0&count=5000")
            #expect(all.resources.count == 5 && all.startIndex == 1)
            #expect(try await page("count=-3").resources.isEmpty)
        }
    }

    @Test func replaceKeepsActiveWhenLeftOutAndDeleteRemovesTheUser() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let id = try await api.scimUser("ada@acme.test", email: "ada@acme.test", displayName: "Ada", active: false, token: token)
            let replaced = try await api.scim(.put, "/Users/\(id)", token: token, body: #"{"userName":"ada@acme.test","name":{"givenName":"Ada"}}"#)
            #expect(try replaced.status == .ok && replaced.decode(ScimReply.User.self).active == false, "\(replaced.text)")
            #expect(!replaced.keys.contains("displayName") && !replaced.keys.contains("emails"), "a replace drops what it leaves out")
            #expect(try replaced.decode(ScimReply.User.self).meta?.version == "W/\"2\"")
            let reactivated = try await api.scim(.put, "/Users/\(id)", token: token, body: #"{"userName":"ada@acme.test","active":"True"}"#)
            #expect(try reactivated.decode(ScimReply.User.self).active == true)

            #expect(try await api.scim(.delete, "/Users/\(id)", token: token).status == .noContent)
            #expect(try await api.scim(.get, "/Users/\(id)", token: token).isError(.notFound))
            #expect(try await api.storedUser(id) == nil)
            #expect(try await api.scim(.delete, "/Users/\(id)", token: token).isError(.notFound))
        }
    }
}
