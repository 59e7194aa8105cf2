import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// The audit log that says why.
extension UserSyncScenarioTests {
    @Test("the audit log filters by action, actor and target, pages without gaps or duplicates, is readable by viewers and names the admin key")
    func auditLog() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let admin = try await api.createKey("acme")
            let viewer = try await api.createKey("acme", role: "viewer")
            let org = try await api.db.adminQueryText("SELECT id::text FROM organizations WHERE slug = 'acme'")

            // The admin key's actions: one bulk primary choice and three syncs.
            let chosen = try await api.call(
                .post, "/v1/orgs/acme/people/primary", token: admin.secret, json: #"{"platform":"slack","filter":{"primary_platform":"slack"}}"#)
            #expect(chosen.status == .ok, "\(chosen.text)")
            let candidates = try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) != .deactivated }
            try #require(candidates.count >= 3)
            var syncs: [String] = []
            for person in candidates.prefix(3) {
                syncs.append(try await Self.startSync(api, person: person.id, onto: connected.connections[.webex]!, token: admin.secret))
            }
            try await api.waitForSyncsToSettle()
            #expect(try await api.call(.post, "/v1/orgs/acme/syncs/\(syncs[0])/retry", token: viewer.secret).status == .forbidden)

            func list(_ query: String) async throws -> [AuditEntryView] {
                let reply = try await api.call(.get, "/v1/orgs/acme/audit?limit=200&\(query)", token: viewer.secret)
                #expect(reply.status == .ok, "\(reply.text)")
                let page = try reply.decode(Page<AuditEntryView>.self)
                #expect(page.nextCursor == nil, "more than one page for \(query)")
                return page.items
            }
            let requested = try await list("action=sync.requested")
            #expect(Set(requested.compactMap(\.targetId)) == Set(syncs) && requested.count == 3)
            #expect(requested.allSatisfy { $0.targetType == "sync" })
            let byKey = try await list("actor_kind=admin&actor_id=\(admin.id)")
            #expect(byKey.map(\.action).sorted() == ["people.primary_chosen", "sync.requested", "sync.requested", "sync.requested"])
            #expect(byKey.allSatisfy { $0.actor.kind == "admin" && $0.actor.id == admin.id })
            let system = try await list("actor_kind=system")
            #expect(!system.isEmpty && system.allSatisfy { $0.actor.kind == "system" && $0.actor.id == nil })
            let prefixed = try await list("action=sync.*")
            #expect(Set(prefixed.map(\.action)) == ["sync.requested", "sync.status_changed"])
            // One sync's entries: its request, and one entry per status change after its creation.
            let target = try await list("target_type=sync&target_id=\(syncs[0])")
            let changes = Self.history(try await api.syncView(syncs[0])).count - 1
            #expect(target.map(\.action) == Array(repeating: "sync.status_changed", count: changes) + ["sync.requested"])
            #expect(target.filter { $0.action == "sync.status_changed" }.allSatisfy { $0.actor.kind == "system" })
            #expect(try await list("target_type=connection&target_id=\(syncs[0])").isEmpty)

            // Small pages, whole log and one filter, against the table itself.
            func paged(_ query: String, limit: Int) async throws -> (ids: [Int64], pages: Int) {
                var ids: [Int64] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let reply = try await api.call(
                        .get, "/v1/orgs/acme/audit?limit=\(limit)\(query.isEmpty ? "" : "&" + query)" + (cursor.map { "&cursor=\($0)" } ?? ""),
                        token: viewer.secret)
                    #expect(reply.status == .ok, "\(reply.text)")
                    let page = try reply.decode(Page<AuditEntryView>.self)
                    #expect(page.items.count <= limit)
                    ids += page.items.compactMap { Int64($0.id) }
                    cursor = page.nextCursor
                    pages += 1
                } while cursor != nil && pages < 1000
                return (ids, pages)
            }
            let whole = try await paged("", limit: 7)
            let stored = try await api.db.adminQueryText(
                "SELECT string_agg(id::text, ',' ORDER BY id DESC) FROM audit_log WHERE org_id = '\(org)' AND id <= \(whole.ids.first ?? 0)")
            #expect(whole.ids == stored.split(separator: ",").compactMap { Int64($0) })
            #expect(whole.pages > 2, "\(whole.ids.count) entries in \(whole.pages) pages")
            #expect(Set(whole.ids).count == whole.ids.count)
            let statusChanges = try await paged("action=sync.status_changed", limit: 2)
            let unpaged = try await list("action=sync.status_changed").compactMap { Int64($0.id) }
            #expect(statusChanges.ids == unpaged && statusChanges.pages > 1)
            let forged = try await api.call(.get, "/v1/orgs/acme/audit?cursor=bm90LWEtbnVtYmVy", token: viewer.secret)
            #expect(try forged.status == .badRequest && forged.decode(ProblemReply.self).code == "invalid_cursor")
            // A time window: everything so far is inside [2000, 2100), nothing before 2000.
            #expect(try await list("since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z").count >= whole.ids.count)
            #expect(try await list("until=2000-01-01T00:00:00Z").isEmpty)
        }
    }
}
