import Foundation
import PostgresNIO
import Testing
import UserSyncDomain

/// `POST …/auto-sync/policies/{id}/preview`: a plan from stored directory membership, with
/// nothing changed.
@Suite struct AutoSyncPreviewAPITests {
    struct Person: Decodable {
        struct Primary: Decodable { let platform: String? }
        let id: String
        let email: String
        let platforms: [String]
        let primary: Primary?
    }

    struct Plan: Decodable {
        struct Counts: Decodable, Equatable {
            let primaries: Int, starts: Int, handovers: Int, removals: Int, skips: Int, notOnAnyPlatform: Int
        }

        struct Change: Decodable {
            let personId: String
            let email: String
            let connectionId: String?
            let platform: String?
            let syncId: String?
            let expectation: String?
            let message: String?
            let reason: String?
        }

        struct Member: Decodable {
            let externalId: String
            let email: String?
        }

        let held: Bool
        let holdReason: String?
        let syncedBefore: Int
        let counts: Counts
        let startsByExpectation: [String: Int]
        let primaries: [Change]
        let starts: [Change]
        let removals: [Change]
        let notOnAnyPlatform: [Member]
        let truncated: Bool
    }

    @Test func aPreviewPlansJoinersLeaversAndStrangersAndChangesNothing() async throws {
        try await withSimulatedAPI { api in
            let org = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams)
            _ = try await api.importAndWait(slack)
            _ = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let people = try await api.people(as: Person.self)
            // Slack people who live there: five members, one disabled in the directory, one who left.
            let onSlack = people.filter { $0.primary?.platform == "slack" }
            try #require(onSlack.count >= 7)
            let members = Array(onSlack[0..<5]), disabled = onSlack[5], leaver = onSlack[6]
            let email = { (person: Person) in person.email.lowercased() }
            let policy = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json:
                    #"{"name":"Staff","group":{"source":"scim","id":"staff"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(teams)"]}"#
            ).decode(IdentifiedView.self).id
            // The policy's first run finds no members; the membership stored after it is what the preview plans from.
            try await api.waitForAutoSync()
            try await api.seedGroup(
                org: org.id, group: "staff",
                users: members.map { ("u-\(email($0))", email($0), true) }
                    + [("u-disabled", email(disabled), false), ("u-stranger", "stranger@elsewhere.example", true)])
            // The leaver has a Teams sync the policy made.
            let leaverID = leaver.id
            let made = try await api.call(.post, "/v1/orgs/acme/people/\(leaverID)/syncs", json: #"{"connection_id":"\#(teams)"}"#)
                .decode(IdentifiedView.self).id
            try await api.db.adminQuery("UPDATE syncs SET auto_sync_policy_id = \(UUID(uuidString: policy)!) WHERE id = \(UUID(uuidString: made)!)")
            try await api.waitForSyncsToSettle()  // the worker is done with it before the directory is compared
            let before = try await api.call(.get, "/v1/orgs/acme/people?limit=200").text

            let reply = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/preview")
            #expect(reply.status == .ok, "\(reply.text)")
            let plan = try reply.decode(Plan.self)
            #expect(plan.counts == .init(primaries: 0, starts: 5, handovers: 0, removals: 1, skips: 0, notOnAnyPlatform: 1))
            #expect(Set(plan.starts.map(\.personId)) == Set(members.map(\.id)))
            for start in plan.starts {
                let person = try #require(members.first { $0.id == start.personId })
                #expect(start.connectionId == teams && start.platform == "teams")
                #expect(start.expectation == (person.platforms.contains("teams") ? "link" : "guest"), "\(start)")
                #expect(start.message?.isEmpty == false)
            }
            #expect(plan.startsByExpectation.values.reduce(0, +) == 5)
            #expect(plan.removals.map(\.syncId) == [made] && plan.removals.first?.personId == leaverID)
            #expect(plan.notOnAnyPlatform.map(\.email) == ["stranger@elsewhere.example"])
            // Removing the one person the policy syncs is over its 10% without approval.
            #expect(plan.held && plan.syncedBefore == 1)
            #expect(plan.holdReason == "The run would unsync 1 of the 1 people the policy syncs (100%), more than its limit of 10% without approval.")
            #expect(!plan.truncated)

            let counted = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/preview?limit=0").decode(Plan.self)
            #expect(counted.counts == plan.counts && counted.starts.isEmpty && counted.truncated)
            #expect(try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/preview?limit=5000").status == .badRequest)
            #expect(try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(UUID().lowercasedText)/preview").status == .notFound)

            #expect(try await api.call(.get, "/v1/orgs/acme/people?limit=200").text == before, "a preview changes nothing")
        }
    }

    @Test func theRemovalHoldAndTheKeepSettingShapeThePlan() async throws {
        try await withSimulatedAPI { api in
            let org = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), zoom = try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            let leaver = try #require(try await api.people(as: Person.self).first { $0.primary?.platform == "slack" })
            try await api.seedGroup(org: org.id, group: "staff", users: [])
            let policy = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json:
                    #"{"name":"Staff","group":{"source":"scim","id":"staff"},"primary_connection_id":"\#(slack)","secondary_connection_ids":["\#(zoom)"],"removal_hold":{}}"#
            ).decode(IdentifiedView.self).id
            try await api.waitForAutoSync()
            let made = try await api.call(.post, "/v1/orgs/acme/people/\(leaver.id)/syncs", json: #"{"connection_id":"\#(zoom)"}"#)
                .decode(IdentifiedView.self).id
            try await api.db.adminQuery("UPDATE syncs SET auto_sync_policy_id = \(UUID(uuidString: policy)!) WHERE id = \(UUID(uuidString: made)!)")

            let unbounded = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/preview").decode(Plan.self)
            #expect(unbounded.counts.removals == 1 && !unbounded.held && unbounded.holdReason == nil)

            _ = try await api.call(.patch, "/v1/orgs/acme/auto-sync/policies/\(policy)", json: #"{"removes_on_leave":false}"#)
            try await api.waitForAutoSync()
            let kept = try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/preview").decode(Plan.self)
            #expect(kept.counts.removals == 0 && !kept.held)
        }
    }
}
