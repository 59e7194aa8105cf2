import Foundation
import Testing
import UserSyncDomain

/// End to end: an identity provider pushes users and a group over SCIM, an Auto Sync policy
/// follows the group, and the members get their syncs; deactivating a member or taking them
/// out of the group over SCIM unsyncs them, and reactivating syncs them again. Entra's and
/// Okta's request shapes have the same effect.
@Suite struct ScimAutoSyncTests {
    @Test(arguments: ScimIdentityProvider.allCases)
    func aScimGroupDrivesItsPolicy(_ provider: ScimIdentityProvider) async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), zoom = try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            _ = try await api.importAndWait(zoom)
            let people = try await Self.people(api).filter { $0.platforms.contains("slack") }.prefix(3).map { $0 }
            try #require(people.count == 3)
            let token = try await api.scimToken(name: "\(provider)").secret

            // The identity provider knows them by their email, in its own capitals.
            var users: [String] = []
            for (index, person) in people.enumerated() {
                let email = person.email.uppercased()
                users.append(try await provider.provision(api, token: token, email: email, given: "Member\(index)", family: "Scim"))
            }
            let group = try await provider.createGroup(api, token: token, name: "Engineering")
            try await provider.addMembers(api, token: token, group: group, users: users)
            let policy = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json: #"""
                    {"name":"Engineering","group":{"source":"scim","id":"\#(group)"},"primary_connection_id":"\#(slack)",
                     "secondary_connection_ids":["\#(zoom)"],"removal_hold":{}}
                    """#)
            #expect(policy.status == .created, "\(policy.text)")
            try await api.waitForAutoSync()
            let onZoom = { (index: Int) in try await Self.hasSync(api, person: people[index], on: zoom) }
            for index in 0..<3 { #expect(try await onZoom(index), "member \(index) was synced onto Zoom") }

            // Deactivated in the directory: unsynced, by a run the SCIM request asked for.
            try await provider.deactivate(api, token: token, user: users[0])
            try await api.waitForAutoSync()
            #expect(try await !onZoom(0))
            #expect(try await onZoom(1))
            #expect(try await onZoom(2))
            let runs = try await api.call(.get, "/v1/orgs/acme/auto-sync/runs").decode(AutoSyncRunPage.self).items
            #expect(runs.first?.trigger == "membership_changed" && runs.first?.counts.removals == 1, "\(runs)")

            // Out of the group: unsynced too.
            try await provider.removeMember(api, token: token, group: group, user: users[1])
            try await api.waitForAutoSync()
            #expect(try await !onZoom(1))
            #expect(try await onZoom(2))

            // Back: synced again.
            try await provider.reactivate(api, token: token, user: users[0])
            try await api.waitForAutoSync()
            #expect(try await onZoom(0))
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/runs").decode(AutoSyncRunPage.self).items.count == 4)
        }
    }

    /// Only a change that can change who is in the group asks for a run: a rename, a new display
    /// name or adding a member twice asks for none; a deactivation or another email does.
    @Test func onlyMembershipChangesAskForRuns() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), zoom = try await api.connect(.zoom)
            let token = try await api.scimToken().secret
            let ada = try await api.scimUser("ada@acme.test", token: token)
            let group = try await api.scimGroup("Engineering", members: [ada], token: token)
            let policy = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json: #"""
                    {"name":"Engineering","group":{"source":"scim","id":"\#(group)"},"primary_connection_id":"\#(slack)",
                     "secondary_connection_ids":["\#(zoom)"]}
                    """#)
            #expect(policy.status == .created, "\(policy.text)")
            try await api.waitForAutoSync()
            // When the policy's latest run was asked for, in microseconds.
            let requested = {
                try await api.db.scalar("SELECT coalesce((extract(epoch FROM run_requested_at) * 1e6)::bigint, 0) FROM auto_sync_policies")
            }
            var last = try await requested()
            let asksForRun = { (label: String, reply: ScimReply) in
                #expect(reply.status.code < 300, "\(label): \(reply.text)")
                let now = try await requested()
                defer { last = now }
                return now != last
            }
            let patch = { (path: String, operation: JSONBody) in try await api.scim(.patch, path, token: token, body: try API.patch([operation]))
            }
            #expect(try await !asksForRun("rename", patch("/Groups/\(group)", ["op": "Replace", "path": "displayName", "value": "R&D"])))
            #expect(try await !asksForRun("display name", patch("/Users/\(ada)", ["op": "Replace", "path": "displayName", "value": "Ada"])))
            #expect(
                try await !asksForRun(
                    "member again", patch("/Groups/\(group)", ["op": "Add", "path": "members", "value": [["value": .string(ada)]]])))
            #expect(try await !asksForRun("still active", patch("/Users/\(ada)", ["op": "Replace", "path": "active", "value": "True"])))
            #expect(try await asksForRun("deactivated", patch("/Users/\(ada)", ["op": "Replace", "path": "active", "value": "False"])))
            #expect(
                try await asksForRun(
                    "another email", patch("/Users/\(ada)", ["op": "Add", "path": "emails[type eq \"work\"].value", "value": "ada@new.test"])))
            #expect(try await asksForRun("left", patch("/Groups/\(group)", ["op": "Remove", "path": "members", "value": [["value": .string(ada)]]])))
            #expect(try await asksForRun("deleted group", api.scim(.delete, "/Groups/\(group)", token: token)))
        }
    }

    struct Person: Decodable {
        struct Sync: Decodable { let connectionId: String }
        let id: String
        let email: String
        let platforms: [String]
        let syncs: [Sync]
    }

    struct Page: Decodable { let items: [Person], nextCursor: String? }

    /// Every person of acme, following cursors.
    static func people(_ api: API) async throws -> [Person] {
        var people: [Person] = []
        var cursor: String?
        repeat {
            let page = try await api.call(.get, "/v1/orgs/acme/people?limit=200" + (cursor.map { "&cursor=\($0)" } ?? "")).decode(Page.self)
            people += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return people
    }

    static func hasSync(_ api: API, person: Person, on connection: String) async throws -> Bool {
        try await api.call(.get, "/v1/orgs/acme/people/\(person.id)").decode(Person.self).syncs.contains { $0.connectionId == connection }
    }
}
