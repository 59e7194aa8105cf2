import Foundation
import Testing
import UserSyncAPI

@Suite struct JobRoutesTests {
    struct Job: Decodable {
        struct Payload: Decodable { let n: Int }
        let id: String
        let state: String
        let attempts: Int
        let payload: Payload?
    }

    /// A page of jobs; `cursorIsNull` tells a `next_cursor` sent as null from one left out.
    struct Jobs: Decodable {
        enum CodingKeys: String, CodingKey { case items, nextCursor }
        let items: [Job]
        let nextCursor: String?
        let cursorIsNull: Bool

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            items = try container.decode([Job].self, forKey: .items)
            nextCursor = try container.decodeIfPresent(String.self, forKey: .nextCursor)
            cursorIsNull = try container.contains(.nextCursor) && container.decodeNil(forKey: .nextCursor)
        }
    }

    @Test func anOrganizationReadsItsOwnJobsPageByPage() async throws {
        try await withAPI { api in
            let org = try await api.createOrganization("acme")
            let viewer = try await api.createKey("acme", role: "viewer")
            var ids: [String] = []
            for n in 0..<5 { ids.append(try await api.enqueueJob(org.id, payload: #"{"n":\#(n)}"#)) }
            _ = try await api.enqueueJob(org.id, kind: "other")

            let first = try await api.call(.get, "/v1/orgs/acme/jobs?limit=2&kind=noop", token: viewer.secret)
            #expect(first.status == .ok, "\(first.text)")
            let page = try first.decode(Jobs.self)
            #expect(page.items.map(\.id) == [ids[4], ids[3]])
            #expect(page.items.first?.payload?.n == 4, "the payload is JSON, not a string")
            let cursor = try #require(page.nextCursor)
            let rest = try await api.call(.get, "/v1/orgs/acme/jobs?limit=10&kind=noop&cursor=\(cursor)", token: viewer.secret).decode(Jobs.self)
            #expect(rest.items.map(\.id) == [ids[2], ids[1], ids[0]])
            #expect(rest.cursorIsNull)

            let queued = try await api.call(.get, "/v1/orgs/acme/jobs?state=queued", token: viewer.secret)
            #expect(try queued.decode(Jobs.self).items.count == 6)
            let one = try await api.call(.get, "/v1/orgs/acme/jobs/\(ids[0])", token: viewer.secret)
            #expect(try one.status == .ok && one.decode(Job.self).state == "queued" && one.decode(Job.self).attempts == 0)
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
            #expect(try reply.decode(ProblemReply.self).code == code)
        }
    }

    @Test func anUnknownJobIs404() async throws {
        try await withAPI { api in
            _ = try await api.createOrganization("acme")
            let key = try await api.createKey("acme")
            let reply = try await api.call(.get, "/v1/orgs/acme/jobs/424242", token: key.secret)
            #expect(try reply.status == .notFound && reply.decode(ProblemReply.self).code == "job_not_found")
        }
    }
}
