import Foundation
import Testing
import UserSyncAPI

@Suite struct JobRoutesTests {
    @Test func anOrganizationReadsItsOwnJobsPageByPage() async throws {
        try await withAPI { api in
            let org = try await api.createOrganization("acme")
            let viewer = try await api.createKey("acme", role: "viewer")
            var ids: [String] = []
            for n in 0..<5 { ids.append(try await api.enqueueJob(org.id, payload: #"{"n":\#(n)}"#)) }
            _ = try await api.enqueueJob(org.id, kind: "other")

            let first = try await api.call(.get, "/v1/orgs/acme/jobs?limit=2&kind=noop", token: viewer.secret)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.items.map { $0["id"] as? String } == [ids[4], ids[3]])
            #expect((first.items.first?["payload"] as? [String: Any])?["n"] as? Int == 4, "the payload is JSON, not a string")
            let cursor = try #require(first.json["next_cursor"] as? String)
            let rest = try await api.call(.get, "/v1/orgs/acme/jobs?limit=10&kind=noop&cursor=\(cursor)", token: viewer.secret)
            #expect(rest.items.map { $0["id"] as? String } == [ids[2], ids[1], ids[0]])
            #expect(rest.json["next_cursor"] is NSNull)

            let queued = try await api.call(.get, "/v1/orgs/acme/jobs?state=queued", token: viewer.secret)
            #expect(queued.items.count == 6)
            let one = try await api.call(.get, "/v1/orgs/acme/jobs/\(ids[0])", token: viewer.secret)
            #expect(one.status == .ok && one.json["state"] as? String == "queued" && one.json["attempts"] as? Int == 0)
        }
    }

    @Test(arguments: [
        ("/v1/orgs/acme/jobs?state=dead", "invalid_query_parameter"),
        ("/v1/orgs/acme/jobs?limit=0", "invalid_query_parameter"),
        ("/v1/orgs/acme/jobs?cursor=%%%", "invalid_cursor"),
        ("/v1/orgs/acme/jobs/abc", "invalid_path_parameter"),
        ("/v1/orgs/acme/jobs/-4", "invalid_path_parameter"),
    ])
    func badRequestsAreClear(uri: String, code: String) async throws {
        try await withAPI { api in
            _ = try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let reply = try await api.call(.get, uri, token: key.secret)
            #expect(reply.status == .badRequest, "\(reply.text)")
            #expect(reply.code == code)
        }
    }

    @Test func anUnknownJobIs404() async throws {
        try await withAPI { api in
            _ = try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let reply = try await api.call(.get, "/v1/orgs/acme/jobs/424242", token: key.secret)
            #expect(reply.status == .notFound && reply.code == "job_not_found")
        }
    }
}
