import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import UserSyncDomain

/// `/v1/orgs/{org}/auto-sync/policies…` over a real database, with connections to the simulator.
@Suite struct AutoSyncPolicyAPITests {
    struct Policy: Decodable, Equatable {
        struct Group: Decodable, Equatable {
            let source: String
            let connectionId: String?
            let id: String
            let displayName: String?
        }

        struct Hold: Decodable, Equatable {
            let overCount: Int?
            let overPercent: Int?
        }

        let id: String
        let name: String
        let group: Group
        let primaryConnectionId: String
        let secondaryConnectionIds: [String]
        let enabled: Bool
        let priority: Int
        let removesOnLeave: Bool
        let overridesAdminPrimary: Bool
        let removalHold: Hold
        let syncs: Int
    }

    struct AuditEntry: Decodable { let action: String }

    struct Person: Decodable {
        struct Primary: Decodable { let connectionId: String }
        let id: String
        let primary: Primary?
    }

    struct Policies: Decodable {
        let items: [Policy]
        let nextCursor: String?
    }

    /// Slack, Teams and Zoom connected to acme in the simulator.
    func connections(_ api: API) async throws -> (slack: String, teams: String, zoom: String) {
        (try await api.connect(.slack), try await api.connect(.teams), try await api.connect(.zoom))
    }

    func create(_ api: API, _ body: String, token: String? = operatorToken) async throws -> Reply {
        try await api.call(.post, "/v1/orgs/acme/auto-sync/policies", token: token, json: body)
    }

    @Test func aPolicyIsCreatedReadChangedAndDeleted() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let (slack, teams, zoom) = try await connections(api)
            let created = try await create(
                api,
                #"""
                {"name":" Engineering ","group":{"source":"entra","connection_id":"\#(teams)","id":"0b5e6f2a","display_name":"Engineering"},
                 "primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)","\#(zoom)"]}
                """#)
            #expect(created.status == .created, "\(created.text)")
            let policy = try created.decode(Policy.self)
            #expect(policy.name == "Engineering")
            #expect(policy.group == .init(source: "entra", connectionId: teams, id: "0b5e6f2a", displayName: "Engineering"))
            #expect(policy.primaryConnectionId == slack && policy.secondaryConnectionIds == [teams, zoom])
            #expect(policy.enabled && policy.priority == 100 && policy.removesOnLeave && !policy.overridesAdminPrimary)
            #expect(policy.removalHold == .init(overCount: 25, overPercent: 10) && policy.syncs == 0)

            let everyone = try await create(
                api,
                #"""
                {"name":"Everyone","group":{"source":"scim","id":"all"},"primary_connection_id":"\#(teams)",
                 "secondary_connection_ids":["\#(zoom)"],"priority":5,"removes_on_leave":false,"overrides_admin_primary":true,
                 "removal_hold":{"over_percent":50}}
                """#
            ).decode(Policy.self)
            #expect(everyone.removalHold == .init(overCount: nil, overPercent: 50) && !everyone.removesOnLeave && everyone.overridesAdminPrimary)

            // Listed in the order they apply.
            let listed = try await api.call(.get, "/v1/orgs/acme/auto-sync/policies").decode(Policies.self)
            #expect(listed.items.map(\.id) == [everyone.id, policy.id] && listed.nextCursor == nil)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/\(policy.id)").decode(Policy.self) == policy)

            let changed = try await api.call(
                .patch, "/v1/orgs/acme/auto-sync/policies/\(policy.id)",
                json: #"{"enabled":false,"secondary_connection_ids":["\#(zoom)"],"removal_hold":{}}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            let updated = try changed.decode(Policy.self)
            #expect(!updated.enabled && updated.secondaryConnectionIds == [zoom] && updated.removalHold == .init(overCount: nil, overPercent: nil))
            #expect(updated.name == "Engineering" && updated.group == policy.group && updated.priority == 100)

            let deleted = try await api.call(.delete, "/v1/orgs/acme/auto-sync/policies/\(policy.id)")
            #expect(try deleted.decode(Policy.self) == updated)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/\(policy.id)").status == .notFound)
            #expect(try await api.call(.delete, "/v1/orgs/acme/auto-sync/policies/\(policy.id)").status == .notFound)

            let actions = try await api.call(.get, "/v1/orgs/acme/audit?limit=200").decode(Page<AuditEntry>.self).items.map(\.action)
            for action in ["auto_sync.policy_created", "auto_sync.policy_updated", "auto_sync.policy_deleted"] {
                #expect(actions.contains(action), "\(action) is not in the audit log")
            }
        }
    }

    @Test func invalidSettingsAreRefusedFieldByFieldAndNothingIsStored() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let (slack, teams, _) = try await connections(api)
            let cases: [(body: String, status: HTTPResponse.Status, fields: [String])] = [
                (
                    "{}", .unprocessableContent,
                    ["name:required", "group:required", "primary_connection_id:required", "secondary_connection_ids:required"]
                ),
                (
                    #"{"name":"x","group":{"source":"ldap","id":"g"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)"]}"#,
                    .unprocessableContent, ["group.source:invalid_value"]
                ),
                (
                    #"{"name":"x","group":{"source":"entra","connection_id":"\#(slack)","id":"g"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(slack)"]}"#,
                    .unprocessableContent, ["group.connection_id:not_a_teams_connection", "secondary_connection_ids[0]:secondary_is_primary"]
                ),
                (
                    #"{"name":"x","group":{"source":"scim","id":"g"},"primary_connection_id":"\#(UUID().lowercasedText)","secondary_connection_ids":["\#(teams)"],"priority":0}"#,
                    .unprocessableContent, ["primary_connection_id:unknown_connection", "priority:out_of_range"]
                ),
                (
                    #"{"name":"x","group":{"source":"scim","id":"g"},"primary_connection_id":"not-an-id","secondary_connection_ids":["\#(teams)"]}"#,
                    .unprocessableContent, ["primary_connection_id:invalid_value"]
                ),
                (
                    #"{"name":"x","group":{"source":"scim","id":"g"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)"],"removal_hold":{"over_count":-1}}"#,
                    .unprocessableContent, ["removal_hold.over_count:out_of_range"]
                ),
                (#"{"name":"x","colour":"red"}"#, .unprocessableContent, ["colour:unknown_field"]),
                (#"["x"]"#, .badRequest, []),
            ]
            for (body, status, fields) in cases {
                let reply = try await create(api, body)
                #expect(reply.status == status, "\(body) → \(reply.status): \(reply.text)")
                let problem = try reply.decode(ProblemReply.self)
                #expect((problem.errors ?? []).map { "\($0.field):\($0.code)" } == fields, "\(body) → \(reply.text)")
            }
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies").decode(Policies.self).items.isEmpty)
        }
    }

    @Test func aGroupHasOnePolicyAndABadEditChangesNothing() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let (slack, teams, zoom) = try await connections(api)
            let body = { (group: String) in
                #"{"name":"\#(group)","group":{"source":"scim","id":"\#(group)"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)"]}"#
            }
            let first = try await create(api, body("staff")).decode(Policy.self)
            let second = try await create(api, body("contractors")).decode(Policy.self)
            let duplicate = try await create(api, body("staff"))
            #expect(try duplicate.status == .conflict && duplicate.decode(ProblemReply.self).code == "group_has_policy", "\(duplicate.text)")

            let path = "/v1/orgs/acme/auto-sync/policies/\(second.id)"
            let moved = try await api.call(.patch, path, json: #"{"group":{"source":"scim","id":"staff"}}"#)
            #expect(try moved.status == .conflict && moved.decode(ProblemReply.self).code == "group_has_policy", "\(moved.text)")
            let invalid = try await api.call(.patch, path, json: #"{"secondary_connection_ids":["\#(slack)"],"priority":2000}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(try invalid.decode(ProblemReply.self).errors?.map(\.code) == ["secondary_is_primary", "out_of_range"])
            #expect(try await api.call(.patch, path, json: #"{"group":{"source":"nis","id":"x"}}"#).status == .unprocessableContent)
            #expect(try await api.call(.get, path).decode(Policy.self) == second)

            // A disconnected connection cannot be named.
            #expect(try await api.call(.delete, "/v1/orgs/acme/connections/\(zoom)").status == .ok)
            let onto = try await api.call(.patch, "/v1/orgs/acme/auto-sync/policies/\(first.id)", json: #"{"secondary_connection_ids":["\#(zoom)"]}"#)
            #expect(try onto.decode(ProblemReply.self).errors?.map(\.code) == ["connection_disconnected"])
        }
    }

    @Test func viewersReadAndOnlyWritersChange() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let (slack, teams, _) = try await connections(api)
            let viewer = try await api.createKey("acme", role: "viewer")
            let body =
                #"{"name":"Staff","group":{"source":"scim","id":"staff"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)"]}"#
            #expect(try await create(api, body, token: viewer.secret).status == .forbidden)
            let policy = try await create(api, body).decode(Policy.self)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies", token: viewer.secret).decode(Policies.self).items == [policy])
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/\(policy.id)", token: viewer.secret).status == .ok)
            let path = "/v1/orgs/acme/auto-sync/policies/\(policy.id)"
            #expect(try await api.call(.patch, path, token: viewer.secret, json: #"{"enabled":false}"#).status == .forbidden)
            #expect(try await api.call(.delete, path, token: viewer.secret).status == .forbidden)
            #expect(try await api.call(.get, path).decode(Policy.self) == policy)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/not-a-uuid").status == .badRequest)
        }
    }

    @Test func deletingAPolicyKeepsTheSyncsItMade() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let (slack, teams, zoom) = try await connections(api)
            _ = try await api.importAndWait(slack)
            let policy = try await create(
                api,
                #"{"name":"Staff","group":{"source":"scim","id":"staff"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)"]}"#
            ).decode(Policy.self)
            // A sync made by the policy (as a run will make it).
            let person = try #require(try await api.people(as: Person.self).first { $0.primary?.connectionId == slack }?.id)
            let sync = try await api.call(.post, "/v1/orgs/acme/people/\(person)/syncs", json: #"{"connection_id":"\#(zoom)"}"#)
                .decode(IdentifiedView.self).id
            try await api.db.adminQuery(
                "UPDATE syncs SET auto_sync_policy_id = \(UUID(uuidString: policy.id)!) WHERE id = \(UUID(uuidString: sync)!)")
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/policies/\(policy.id)").decode(Policy.self).syncs == 1)

            #expect(try await api.call(.delete, "/v1/orgs/acme/auto-sync/policies/\(policy.id)").decode(Policy.self).syncs == 1)
            #expect(try await api.call(.get, "/v1/orgs/acme/syncs/\(sync)").status == .ok)
            let rows = try await api.db.admin.client.query(
                "SELECT auto_sync_policy_id FROM syncs WHERE id = \(UUID(uuidString: sync)!)", logger: api.db.logger)
            var owners: [UUID?] = []
            for try await owner in rows.decode(UUID?.self) { owners.append(owner) }
            #expect(owners == [nil], "the sync stays, kept by nobody")
        }
    }
}
