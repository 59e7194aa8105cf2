import Foundation
import Testing

/// Groups as an identity provider sees them: members with `display` and `$ref`, lookups with
/// `excludedAttributes=members`, filters on name and member, replace and delete.
@Suite struct ScimGroupTests {
    /// A group's members, each as the attributes it was sent with.
    struct MemberKeys: Decodable { let members: [ScimReply.Keys] }

    @Test func aGroupShowsItsMembersUnlessExcluded() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let ada = try await api.scimUser("ada@acme.test", displayName: "Ada Lovelace", token: token)
            let grace = try await api.scimUser("grace@acme.test", token: token)
            let created = try await api.scim(
                .post, "/Groups", token: token,
                body:
                    #"{"displayName":"Engineering","externalId":"g-1","members":[{"value":"\#(ada)"},{"value":"\#(grace)","display":"x"},{"value":"\#(ada)"}]}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let id = created.id
            #expect(created.headers[.location] == "http://usersync.test/scim/v2/acme/Groups/\(id)")
            let group = try created.decode(ScimReply.Group.self)
            #expect(group.schemas == ["urn:ietf:params:scim:schemas:core:2.0:Group"] && group.externalId == "g-1")
            let members = group.members ?? []
            #expect(members.count == 2 && Set(members.map(\.value)) == [ada, grace], "a repeated member counts once")
            #expect(Set(members.map { $0.display ?? "" }) == ["Ada Lovelace", "grace@acme.test"])
            #expect(Set(members.map { $0.ref ?? "" }) == Set([ada, grace].map { "http://usersync.test/scim/v2/acme/Users/\($0)" }))
            #expect(try await api.storedMembers(id) == [ada, grace])

            let excluded = try await api.scim(.get, "/Groups/\(id)?excludedAttributes=members", token: token)
            #expect(
                try excluded.status == .ok && !excluded.keys.contains("members") && excluded.decode(ScimReply.Group.self).displayName == "Engineering"
            )
            let named = try await api.scim(.get, "/Groups/\(id)?attributes=displayName", token: token)
            #expect(named.keys == ["schemas", "id", "displayName"])
            let values = try await api.scim(.get, "/Groups/\(id)?attributes=members.value", token: token)
            #expect(Set(try values.decode(MemberKeys.self).members.map(\.keys)) == [["value"]])

            // Entra's lookup before it creates a group.
            let lookup = try await api.scim(.get, "/Groups?\(scimFilter(#"displayName eq "engineering""#))&excludedAttributes=members", token: token)
            let found = try lookup.decode(ScimReply.List<ScimReply.Keys>.self).resources
            #expect(lookup.totalResults == 1 && lookup.resourceIDs.first == id && found.first.map { !$0.keys.contains("members") } == true)
            // Is a user a member?
            let other = try await api.scimGroup("Sales", members: [grace], token: token)
            let withAda = try await api.scim(.get, "/Groups?\(scimFilter(#"members[value eq "\#(ada)"]"#))", token: token)
            #expect(withAda.resourceIDs == [id])
            let withGrace = try await api.scim(.get, "/Groups?\(scimFilter(#"members.value eq "\#(grace)""#))&attributes=displayName", token: token)
            #expect(Set(try withGrace.decode(ScimReply.List<ScimReply.Group>.self).resources.compactMap(\.displayName)) == ["Engineering", "Sales"])
            #expect(try await api.scim(.get, "/Groups?\(scimFilter(#"externalId eq "g-1""#))", token: token).totalResults == 1)
            let all = try await api.scim(.get, "/Groups", token: token)
            let groups = try all.decode(ScimReply.List<ScimReply.Group>.self)
            #expect(groups.totalResults == 2 && groups.resources.last?.id == other)
            #expect(groups.resources.last?.members?.count == 1)
        }
    }

    @Test func replaceSetsTheWholeMembershipAndDeleteRemovesIt() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            let ada = try await api.scimUser("ada@acme.test", token: token)
            let grace = try await api.scimUser("grace@acme.test", token: token)
            let alan = try await api.scimUser("alan@acme.test", token: token)
            let group = try await api.scimGroup("Engineering", members: [ada, grace], token: token)

            let replaced = try await api.scim(
                .put, "/Groups/\(group)", token: token, body: #"{"displayName":"R&D","members":[{"value":"\#(grace)"},{"value":"\#(alan)"}]}"#)
            #expect(try replaced.status == .ok && replaced.decode(ScimReply.Group.self).displayName == "R&D", "\(replaced.text)")
            #expect(try await api.storedMembers(group) == [grace, alan])
            let empty = try API.patch([["op": "remove", "path": "members"]])
            #expect(try await api.scim(.patch, "/Groups/\(group)", token: token, body: empty).status == .noContent)
            #expect(try await api.storedMembers(group).isEmpty)
            // Okta's path-less replace: name and members at once.
            let okta = try API.patch([
                ["op": "replace", "value": ["id": .string(group), "displayName": "Research", "members": [["value": .string(ada)]]]]
            ])
            #expect(try await api.scim(.patch, "/Groups/\(group)", token: token, body: okta).status == .noContent)
            let read = try await api.scim(.get, "/Groups/\(group)", token: token).decode(ScimReply.Group.self)
            #expect(read.displayName == "Research" && read.members?.map(\.value) == [ada])

            // Deleting a user takes it out of its groups.
            #expect(try await api.scim(.delete, "/Users/\(ada)", token: token).status == .noContent)
            #expect(try await api.storedMembers(group).isEmpty)
            #expect(try await api.scim(.delete, "/Groups/\(group)", token: token).status == .noContent)
            #expect(try await api.scim(.get, "/Groups/\(group)", token: token).isError(.notFound))
            #expect(try await api.db.scalar("SELECT count(*) FROM directory_groups WHERE source = 'scim'") == 0)
        }
    }

    /// Identity providers send membership changes in parallel: concurrent PATCHes of one group,
    /// and user deletions touching the same groups, neither lose a change nor fail.
    @Test func concurrentChangesToOneGroupAllLand() async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken().secret
            var users: [String] = []
            for n in 0..<24 { users.append(try await api.scimUser("user\(n)@acme.test", token: token)) }
            let first = try await api.scimGroup("First", token: token), second = try await api.scimGroup("Second", members: users, token: token)
            let leaving = Set(users.prefix(8))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for user in users {
                    group.addTask {
                        let add = try API.patch([["op": "Add", "path": "members", "value": [["value": .string(user)]]]])
                        return Int(try await api.scim(.patch, "/Groups/\(first)", token: token, body: add).status.code)
                    }
                    if leaving.contains(user) {
                        group.addTask { Int(try await api.scim(.delete, "/Users/\(user)", token: token).status.code) }
                    } else {
                        group.addTask {
                            let remove = try API.patch([["op": "remove", "path": "members[value eq \"\(user)\"]"]])
                            return Int(try await api.scim(.patch, "/Groups/\(second)", token: token, body: remove).status.code)
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // An add that came after its user's deletion is refused (400); nothing else fails.
            #expect(statuses.allSatisfy { $0 == 204 || $0 == 400 }, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 400 }.count <= leaving.count)
            #expect(try await api.storedMembers(first) == Set(users).subtracting(leaving))
            #expect(try await api.storedMembers(second).isEmpty)
        }
    }
}
