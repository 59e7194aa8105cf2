import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import UserSyncAPI

/// Org A's admin key against every tenant route of org B: always 404, never a hint that B or its
/// resources exist, and nothing of B changes.
@Suite struct TenantIsolationTests {
    struct Probe: Sendable {
        let method: HTTPRequest.Method
        /// `{b}` is org B's slug or id, `{bkey}` one of B's key ids, `{a}` org A's slug; `{bconn}`,
        /// `{bimport}`, `{bperson}` and `{bjob}` are B's connection, import, person and job.
        let template: String
        var body: String? = nil
    }

    static let probes: [Probe] = [
        Probe(method: .get, template: "/v1/orgs/{b}"),
        Probe(method: .get, template: "/v1/orgs/{bid}"),
        Probe(method: .patch, template: "/v1/orgs/{b}", body: #"{"name":"Pwned"}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}"),
        Probe(method: .get, template: "/v1/orgs/{b}/keys"),
        Probe(method: .post, template: "/v1/orgs/{b}/keys", body: #"{"name":"x","role":"admin"}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}/keys/{bkey}"),
        Probe(method: .get, template: "/v1/orgs/{b}/jobs"),
        Probe(method: .get, template: "/v1/orgs/{b}/jobs/{bjob}"),
        Probe(method: .get, template: "/v1/orgs/{b}/connections"),
        Probe(method: .post, template: "/v1/orgs/{b}/connections", body: #"{"platform":"slack","credentials":{"bot_token":"x"}}"#),
        Probe(method: .get, template: "/v1/orgs/{b}/connections/{bconn}"),
        Probe(method: .patch, template: "/v1/orgs/{b}/connections/{bconn}", body: #"{"display_name":"Pwned"}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}/connections/{bconn}"),
        Probe(method: .post, template: "/v1/orgs/{b}/connections/{bconn}/verify"),
        Probe(method: .get, template: "/v1/orgs/{b}/connections/{bconn}/teams/available"),
        Probe(method: .get, template: "/v1/orgs/{b}/connections/{bconn}/teams"),
        Probe(method: .post, template: "/v1/orgs/{b}/connections/{bconn}/teams/selection", body: #"{"select":["x"]}"#),
        Probe(method: .post, template: "/v1/orgs/{b}/connections/{bconn}/imports"),
        Probe(method: .get, template: "/v1/orgs/{b}/connections/{bconn}/imports"),
        Probe(method: .get, template: "/v1/orgs/{b}/imports/{bimport}"),
        Probe(method: .get, template: "/v1/orgs/{b}/people"),
        Probe(method: .get, template: "/v1/orgs/{b}/people.csv"),
        Probe(method: .get, template: "/v1/orgs/{b}/people/{bperson}"),
        Probe(method: .put, template: "/v1/orgs/{b}/people/{bperson}/primary", body: #"{"platform":"slack"}"#),
        Probe(method: .post, template: "/v1/orgs/{b}/people/primary", body: #"{"platform":"slack","filter":{}}"#),
        Probe(method: .post, template: "/v1/orgs/{b}/people/{bperson}/syncs", body: #"{"connection_id":"{bconn}"}"#),
        Probe(method: .post, template: "/v1/orgs/{b}/syncs", body: #"{"connection_id":"{bconn}","filter":{}}"#),
        Probe(method: .get, template: "/v1/orgs/{b}/syncs/{bsync}"),
        Probe(method: .post, template: "/v1/orgs/{b}/syncs/{bsync}/retry"),
        Probe(method: .post, template: "/v1/orgs/{b}/people/{bperson}/reset"),
        Probe(method: .post, template: "/v1/orgs/{b}/people/{bperson}/reprompt"),
        Probe(method: .delete, template: "/v1/orgs/{b}/people/{bperson}"),
        Probe(method: .post, template: "/v1/orgs/{b}/people/actions", body: #"{"action":"reset","filter":{}}"#),
        Probe(method: .get, template: "/v1/orgs/{b}/audit"),
        Probe(method: .post, template: "/v1/orgs/{b}/people/{bperson}/syncs/preview", body: #"{"connection_id":"{bconn}"}"#),
        Probe(method: .post, template: "/v1/orgs/{b}/syncs/preview", body: #"{"connection_id":"{bconn}","filter":{}}"#),
        Probe(method: .get, template: "/v1/orgs/{b}/members"),
        Probe(method: .patch, template: "/v1/orgs/{b}/members/{bmember}", body: #"{"role":"viewer"}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}/members/{bmember}"),
        Probe(method: .get, template: "/v1/orgs/{b}/invitations"),
        Probe(method: .post, template: "/v1/orgs/{b}/invitations", body: #"{"role":"admin"}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}/invitations/{binvitation}"),
        Probe(method: .get, template: "/v1/orgs/{b}/routes?from_platform=slack&from_account=U1&to_person={bperson}"),
        Probe(method: .get, template: "/v1/orgs/{b}/messages"),
        Probe(method: .get, template: "/v1/orgs/{b}/messages/counts"),
        Probe(method: .get, template: "/v1/orgs/{b}/messages/{bmessage}"),
        Probe(method: .post, template: "/v1/orgs/{b}/messages/{bmessage}/replay"),
        Probe(method: .get, template: "/v1/orgs/{b}/relay/policy"),
        Probe(method: .patch, template: "/v1/orgs/{b}/relay/policy", body: #"{"files_allowed":false}"#),
        Probe(method: .get, template: "/v1/orgs/{b}/relay/restricted"),
        Probe(method: .put, template: "/v1/orgs/{b}/relay/restricted/{bperson}"),
        Probe(method: .delete, template: "/v1/orgs/{b}/relay/restricted/{bperson}"),
        Probe(method: .put, template: "/v1/orgs/{a}/relay/restricted/{bperson}"),
        Probe(method: .delete, template: "/v1/orgs/{a}/relay/restricted/{bperson}"),
        Probe(method: .get, template: "/v1/orgs/{a}/messages/{bmessage}"),
        Probe(method: .post, template: "/v1/orgs/{a}/messages/{bmessage}/replay"),
        Probe(method: .get, template: "/v1/orgs/{b}/auto-sync/policies"),
        Probe(method: .get, template: "/v1/orgs/{b}/auto-sync/groups?connection_id={bconn}"),
        Probe(method: .get, template: "/v1/orgs/{a}/auto-sync/groups?connection_id={bconn}"),
        Probe(
            method: .post, template: "/v1/orgs/{b}/auto-sync/policies",
            body: #"{"name":"x","group":{"source":"scim","id":"g2"},"primary_connection_id":"{bconn}","secondary_connection_ids":["{bconn}"]}"#),
        Probe(method: .get, template: "/v1/orgs/{b}/auto-sync/policies/{bpolicy}"),
        Probe(method: .patch, template: "/v1/orgs/{b}/auto-sync/policies/{bpolicy}", body: #"{"enabled":false}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}/auto-sync/policies/{bpolicy}"),
        Probe(method: .post, template: "/v1/orgs/{b}/auto-sync/policies/{bpolicy}/preview"),
        Probe(method: .post, template: "/v1/orgs/{b}/auto-sync/policies/{bpolicy}/runs"),
        Probe(method: .get, template: "/v1/orgs/{b}/auto-sync/runs"),
        Probe(method: .get, template: "/v1/orgs/{b}/auto-sync/runs/{brun}"),
        Probe(method: .post, template: "/v1/orgs/{b}/auto-sync/runs/{brun}/approve"),
        Probe(method: .post, template: "/v1/orgs/{b}/auto-sync/runs/{brun}/reject"),
        Probe(method: .get, template: "/v1/orgs/{b}/scim/tokens"),
        Probe(method: .post, template: "/v1/orgs/{b}/scim/tokens", body: #"{"name":"x"}"#),
        Probe(method: .delete, template: "/v1/orgs/{b}/scim/tokens/{bscim}"),
        // B's resource through A's own path is no better.
        Probe(method: .get, template: "/v1/orgs/{a}/jobs/{bjob}"),
        Probe(method: .delete, template: "/v1/orgs/{a}/keys/{bkey}"),
        Probe(method: .get, template: "/v1/orgs/{a}/connections/{bconn}"),
        Probe(method: .patch, template: "/v1/orgs/{a}/connections/{bconn}", body: #"{"display_name":"Pwned"}"#),
        Probe(method: .delete, template: "/v1/orgs/{a}/connections/{bconn}"),
        Probe(method: .post, template: "/v1/orgs/{a}/connections/{bconn}/imports"),
        Probe(method: .get, template: "/v1/orgs/{a}/connections/{bconn}/teams/available"),
        Probe(method: .get, template: "/v1/orgs/{a}/imports/{bimport}"),
        Probe(method: .get, template: "/v1/orgs/{a}/people/{bperson}"),
        Probe(method: .put, template: "/v1/orgs/{a}/people/{bperson}/primary", body: #"{"platform":"slack"}"#),
        Probe(method: .post, template: "/v1/orgs/{a}/people/{bperson}/syncs", body: #"{"connection_id":"{bconn}"}"#),
        Probe(method: .get, template: "/v1/orgs/{a}/syncs/{bsync}"),
        Probe(method: .post, template: "/v1/orgs/{a}/syncs/{bsync}/retry"),
        Probe(method: .post, template: "/v1/orgs/{a}/people/{bperson}/reset"),
        Probe(method: .delete, template: "/v1/orgs/{a}/people/{bperson}"),
        Probe(method: .post, template: "/v1/orgs/{a}/people/{bperson}/syncs/preview", body: #"{"connection_id":"{bconn}"}"#),
        Probe(method: .get, template: "/v1/orgs/{a}/auto-sync/policies/{bpolicy}"),
        Probe(method: .patch, template: "/v1/orgs/{a}/auto-sync/policies/{bpolicy}", body: #"{"enabled":false}"#),
        Probe(method: .delete, template: "/v1/orgs/{a}/auto-sync/policies/{bpolicy}"),
        Probe(method: .post, template: "/v1/orgs/{a}/auto-sync/policies/{bpolicy}/preview"),
        Probe(method: .post, template: "/v1/orgs/{a}/auto-sync/policies/{bpolicy}/runs"),
        Probe(method: .get, template: "/v1/orgs/{a}/auto-sync/runs/{brun}"),
        Probe(method: .post, template: "/v1/orgs/{a}/auto-sync/runs/{brun}/approve"),
        Probe(method: .post, template: "/v1/orgs/{a}/auto-sync/runs/{brun}/reject"),
        Probe(method: .delete, template: "/v1/orgs/{a}/scim/tokens/{bscim}"),
        Probe(method: .patch, template: "/v1/orgs/{a}/members/{bmember}", body: #"{"role":"viewer"}"#),
        Probe(method: .delete, template: "/v1/orgs/{a}/members/{bmember}"),
        Probe(method: .delete, template: "/v1/orgs/{a}/invitations/{binvitation}"),
        // A path to an organization that does not exist answers the same as B's.
        Probe(method: .get, template: "/v1/orgs/no-such-org"),
    ]

    @Test func everyTenantRouteIsProbed() throws {
        let routes = try OpenAPIDocumentTests.routes().filter { $0.path.hasPrefix("/v1/orgs/{org}") }
        let parameters: KeyValuePairs<String, String> = [
            "{bid}": "{org}", "{b}": "{org}", "{a}": "{org}", "{bkey}": "{key_id}", "{bjob}": "{job_id}", "{bconn}": "{connection_id}",
            "{bimport}": "{import_id}", "{bperson}": "{person_id}", "{bsync}": "{sync_id}", "{bmember}": "{member_id}",
            "{binvitation}": "{invitation_id}", "{bpolicy}": "{policy_id}", "{brun}": "{run_id}", "{bscim}": "{token_id}",
            "{bmessage}": "{message_id}",
        ]
        let probed = Set(
            Self.probes.map { probe in
                let path = parameters.reduce(probe.template) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
                return "\(probe.method.rawValue) \(path.split(separator: "?")[0])"
            })
        let missing = routes.map { "\($0.method.rawValue) \($0.path)" }.filter { !probed.contains($0) }
        #expect(missing.isEmpty, "tenant routes without an isolation probe: \(missing)")
    }

    @Test func anotherOrganizationsKeyGets404AndChangesNothing() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("org-a")
            let b = try await api.createOrganization("org-b")
            let aKey = try await api.createKey("org-a")
            let bKey = try await api.createKey("org-b")
            let bJob = try await api.enqueueJob(b.id)
            let bConnection = try await api.connect(.slack, org: "org-b")
            _ = try await api.importAndWait(bConnection, org: "org-b")
            let bImport = try #require(
                try await api.call(.get, "/v1/orgs/org-b/connections/\(bConnection)/imports").decode(Page<IdentifiedView>.self).items.first?.id
            )
            let bPerson = try #require(try await api.people(as: IdentifiedView.self, org: "org-b").first?.id)
            // B's person gets a sync (onto a connection with its own workspace) so that it exists to probe.
            let bZoom = try await api.connect(.zoom, org: "org-b")
            let bSync = try await api.call(
                .post, "/v1/orgs/org-b/people/\(bPerson)/syncs", token: bKey.secret, json: #"{"connection_id":"\#(bZoom)"}"#
            ).decode(IdentifiedView.self).id
            try await api.waitForSyncsToSettle()  // the worker is done with it before B is compared
            let bInvitation = try await api.call(.post, "/v1/orgs/org-b/invitations", json: #"{"role":"admin"}"#).decode(IdentifiedView.self).id
            let bPolicy = try await api.call(
                .post, "/v1/orgs/org-b/auto-sync/policies", token: bKey.secret,
                json:
                    #"{"name":"B staff","group":{"source":"scim","id":"b-staff"},"primary_connection_id":"\#(bConnection)","secondary_connection_ids":["\#(bZoom)"]}"#
            ).decode(IdentifiedView.self).id
            try await api.waitForAutoSync()
            // A held run of B's policy, as a run whose removals wait for approval leaves it.
            let bRun = UUID().uuidString.lowercased()
            try await api.db.adminQuery(
                """
                INSERT INTO auto_sync_runs (org_id, id, policy_id, trigger, state, primaries, starts, handovers, removals, skips,
                    not_on_any_platform, synced_before, hold_reason, created_at)
                VALUES (\(UUID(uuidString: b.id)!), \(UUID(uuidString: bRun)!), \(UUID(uuidString: bPolicy)!), 'manual', 'held', 0, 0, 0, 0, 0,
                        0, 0, 'held for the test', now())
                """)
            let bScim = try await api.call(.post, "/v1/orgs/org-b/scim/tokens", token: bKey.secret, json: #"{"name":"Okta"}"#)
                .decode(IdentifiedView.self).id
            let bMember = UUID().uuidString.lowercased()
            try await api.db.adminQuery(
                """
                INSERT INTO console_members (org_id, id, role, provider, tenant, subject, source, created_by)
                VALUES (\(UUID(uuidString: b.id)!), \(UUID(uuidString: bMember)!), 'admin', 'slack', 'T-B', 'U-B', 'invitation', 'test')
                """)
            // A dead message of B's ledger, which an admin of B could replay.
            let bMessage = UUID().uuidString.lowercased()
            try await api.db.adminQuery(
                """
                INSERT INTO relay_messages (org_id, id, source_connection_id, event_key, kind, source_conversation, source_message_id,
                    sender_account, to_bot, state, body, sent_at, received_at, updated_at)
                VALUES (\(UUID(uuidString: b.id)!), \(UUID(uuidString: bMessage)!), \(UUID(uuidString: bConnection)!), 'ev-b', 'message', 'D-B',
                        'm-b', 'U-B', true, 'dead', '{"text":"hi","files":[]}', now(), now(), now())
                """)
            let snapshot = { () async throws -> [String] in
                var texts: [String] = []
                for uri in [
                    "/v1/orgs/org-b/keys?include_revoked=true", "/v1/orgs/org-b", "/v1/orgs/org-b/connections",
                    "/v1/orgs/org-b/syncs/\(bSync)", "/v1/orgs/org-b/audit?limit=200",
                    "/v1/orgs/org-b/people?limit=200", "/v1/orgs/org-b/connections/\(bConnection)/teams",
                    "/v1/orgs/org-b/connections/\(bConnection)/imports", "/v1/orgs/org-b/members?include_revoked=true",
                    "/v1/orgs/org-b/invitations", "/v1/orgs/org-b/auto-sync/policies", "/v1/orgs/org-b/auto-sync/runs/\(bRun)",
                    "/v1/orgs/org-b/scim/tokens", "/v1/orgs/org-b/messages/\(bMessage)", "/v1/orgs/org-b/relay/policy",
                    "/v1/orgs/org-b/relay/restricted",
                ] {
                    texts.append(try await api.call(.get, uri).text)
                }
                return texts
            }
            let before = try await snapshot()
            var problems: [String] = []

            for probe in Self.probes {
                let uri = probe.template
                    .replacingOccurrences(of: "{bid}", with: b.id).replacingOccurrences(of: "{b}", with: "org-b")
                    .replacingOccurrences(of: "{a}", with: "org-a").replacingOccurrences(of: "{bkey}", with: bKey.id)
                    .replacingOccurrences(of: "{bjob}", with: bJob).replacingOccurrences(of: "{bconn}", with: bConnection)
                    .replacingOccurrences(of: "{bimport}", with: bImport).replacingOccurrences(of: "{bperson}", with: bPerson)
                    .replacingOccurrences(of: "{bsync}", with: bSync).replacingOccurrences(of: "{bmember}", with: bMember)
                    .replacingOccurrences(of: "{binvitation}", with: bInvitation).replacingOccurrences(of: "{bpolicy}", with: bPolicy)
                    .replacingOccurrences(of: "{brun}", with: bRun).replacingOccurrences(of: "{bscim}", with: bScim)
                    .replacingOccurrences(of: "{bmessage}", with: bMessage)
                let body = probe.body?.replacingOccurrences(of: "{bconn}", with: bConnection)
                let reply = try await api.call(probe.method, uri, token: aKey.secret, json: body)
                #expect(reply.status == .notFound, "\(probe.method) \(uri) → \(reply.status): \(reply.text)")
                for secret in ["org-b", b.id, bKey.id, bConnection, bImport, bPerson, bSync, bMember, bInvitation, bPolicy, bRun, bScim]
                where reply.text.contains(secret) {
                    problems.append("\(probe.method) \(uri) echoes B's identifier \(secret)")
                }
            }
            #expect(problems.isEmpty, "\(problems)")
            // Nothing of B changed, and B's key still works.
            #expect(try await snapshot() == before)
            #expect(try await api.call(.get, "/v1/orgs/org-b", token: bKey.secret).status == .ok)
            #expect(try await api.call(.get, "/v1/orgs/org-b/jobs/\(bJob)", token: bKey.secret).status == .ok)
        }
    }
}
