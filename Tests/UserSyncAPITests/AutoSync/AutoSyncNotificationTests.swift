import Foundation
import HTTPTypes
import Testing
import UserSyncAPI
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// Graph change notifications for Entra groups, end to end against the simulator: the worker
/// subscribes to each followed group (the simulator's validation handshake reaches the live
/// server), a membership change upstream is delivered and polled at once, forged notifications
/// change nothing, and subscriptions are renewed, reauthorized and ended with their policies.
@Suite struct AutoSyncNotificationTests {
    struct Person: Decodable {
        struct Account: Decodable { let platform: String, platformUserId: String }
        let id: String
        let accounts: [Account]
        let platforms: [String]
    }

    struct Page: Decodable { let items: [Person] }

    @Test func notificationsBringChangesBetweenPollsAndSubscriptionsFollowThePolicies() async throws {
        var autoSync = quickAutoSyncSettings()
        autoSync.pollInterval = .seconds(3_600)  // only a notification can explain a prompt poll
        try await withSimulatedAPI(live: true, autoSync: autoSync) { api in
            let org = try await api.createOrganization("acme").id
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams)
            _ = try await api.importAndWait(slack)
            _ = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let onTeams = try await api.call(.get, "/v1/orgs/acme/people?limit=200").decode(Page.self).items.filter { $0.platforms.contains("teams") }
            try #require(onTeams.count >= 3)
            let userID = { (person: Person) in person.accounts.first { $0.platform == "teams" }!.platformUserId }
            let group = try #require(api.simulator.createGroup(organization: "acme", displayName: "Engineering"))
            #expect(api.simulator.addGroupMembers(organization: "acme", groupID: group, userIDs: onTeams[0..<2].map(userID)) == 2)
            let created = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json: #"""
                    {"name":"Engineering","group":{"source":"entra","connection_id":"\#(teams)","id":"\#(group)"},
                     "primary_connection_id":"\#(teams)","secondary_connection_ids":["\#(slack)"],"removal_hold":{}}
                    """#)
            #expect(created.status == .created, "\(created.text)")
            let policy = try created.decode(IdentifiedView.self).id
            let kept = { try await api.db.scalar("SELECT count(*) FROM syncs WHERE auto_sync_policy_id = '\(policy)'") }
            let subscriptions = { api.simulator.graphSubscriptions(organization: "acme") }
            let notifications = { api.simulator.graphNotifications(organization: "acme") }

            // The first poll reads the group and subscribes to it; the handshake reached the server.
            try await eventually(.seconds(90)) { try await kept() == 2 && subscriptions().count == 1 }
            let subscription = try #require(subscriptions().first)
            #expect(subscription.resource == "/groups/\(group)/members" && subscription.changeType == "updated")
            #expect(subscription.notificationURL.hasSuffix("/events/graph/\(org)"))
            #expect(subscription.lifecycleNotificationURL == subscription.notificationURL)
            #expect(notifications().contains { $0.kind == .validation && $0.status == 200 })
            // Graph has it before the worker stores it, once the answer reaches the worker.
            try await eventually(.seconds(30)) {
                try await api.db.scalar("SELECT count(*) FROM auto_sync_subscriptions WHERE subscription_id = '\(subscription.id)'") == 1
            }
            try await api.waitForAutoSync()

            // A member added upstream is synced long before the next scheduled poll (an hour away).
            #expect(api.simulator.addGroupMember(organization: "acme", groupID: group, userID: userID(onTeams[2])))
            try await eventually(.seconds(60)) { try await kept() == 3 }
            #expect(notifications().contains { $0.kind == .change && $0.status == 202 })
            try await api.waitForAutoSync()

            // A notification with another client state is answered but refused: no poll is queued.
            let polls = { try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'auto_sync.poll'") }
            let pollsBefore = try await polls()
            let changesBefore = notifications().filter { $0.kind == .change }.count
            api.simulator.sendForgedNotification(organization: "acme", groupID: group, clientState: "guessed")
            try await eventually(.seconds(30)) { notifications().filter { $0.kind == .change }.count == changesBefore + 1 }
            #expect(notifications().last?.status == 202)
            #expect(try await polls() == pollsBefore, "a forged notification queues nothing")

            // Graph asks for reauthorization: the lifecycle notification queues a poll that renews it.
            #expect(api.simulator.requireReauthorization(organization: "acme", subscriptionID: subscription.id))
            try await eventually(.seconds(60)) {
                notifications().contains { $0.kind == .lifecycle && $0.status == 202 } && subscriptions().first?.needsReauthorization == false
            }
            #expect(subscriptions().map(\.id) == [subscription.id], "renewed, not replaced")

            // A subscription close to its expiry is renewed by the next poll.
            try await api.db.adminQuery("UPDATE auto_sync_subscriptions SET expires_at = now() + interval '1 hour'")
            #expect(try await api.call(.post, "/v1/orgs/acme/auto-sync/policies/\(policy)/runs").status == .accepted)
            try await eventually(.seconds(60)) {
                try await api.db.scalar("SELECT count(*) FROM auto_sync_subscriptions WHERE expires_at > now() + interval '2 days'") == 1
            }
            #expect(try #require(subscriptions().first).expiresAt > Date().addingTimeInterval(2 * 86_400))

            // Deleting the group's last policy ends its subscription upstream and here.
            #expect(try await api.call(.delete, "/v1/orgs/acme/auto-sync/policies/\(policy)").status == .ok)
            try await eventually(.seconds(60)) { subscriptions().isEmpty }
            try await eventually(.seconds(30)) { try await api.db.scalar("SELECT count(*) FROM auto_sync_subscriptions") == 0 }
        }
    }

    /// A poll asked for as the connection's poll job finishes (after its last look at the mark,
    /// while it still holds the dedupe key) queues no job of its own; the scheduler's sweep does.
    @Test func aPollRequestThatARunningPollMissedIsQueuedByTheSweep() async throws {
        var autoSync = quickAutoSyncSettings()
        autoSync.pollInterval = .seconds(3_600)  // only a request can explain a second poll
        try await withSimulatedAPI(live: true, autoSync: autoSync) { api in
            _ = try await api.createOrganization("acme")
            let slack = try await api.connect(.slack), teams = try await api.connect(.teams)
            let group = try #require(api.simulator.createGroup(organization: "acme", displayName: "Engineering"))
            let created = try await api.call(
                .post, "/v1/orgs/acme/auto-sync/policies",
                json: #"""
                    {"name":"Engineering","group":{"source":"entra","connection_id":"\#(teams)","id":"\#(group)"},
                     "primary_connection_id":"\#(teams)","secondary_connection_ids":["\#(slack)"],"removal_hold":{}}
                    """#)
            #expect(created.status == .created, "\(created.text)")
            let seen = { try await api.db.scalar("SELECT count(*) FROM auto_sync_polls WHERE poll_done_through >= poll_requested_at") }
            let polls = { try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'auto_sync.poll' AND state = 'succeeded'") }
            // The policy's poll has run, and the sweep has moved the first scheduled one an hour on.
            try await eventually(.seconds(90)) {
                try await api.db.scalar(
                    "SELECT count(*) FROM auto_sync_polls WHERE poll_done_through >= poll_requested_at AND next_poll_at > now() + interval '30 minutes'"
                ) == 1
            }
            try await api.waitForAutoSync()
            let before = try await polls()

            // The mark moves with no job queued, as when the running job's dedupe key refused it.
            try await api.db.adminQuery("UPDATE auto_sync_polls SET poll_requested_at = clock_timestamp()")
            try await eventually(.seconds(60)) {
                let polled = try await polls() > before
                let done = try await seen()
                return polled && done == 1
            }
        }
    }

    @Test func theEndpointEchoesTheHandshakeAndRefusesWhatIsNotABatch() async throws {
        try await withAPI { api in
            let org = try await api.createOrganization("acme").id
            let token = "Validation: Testing client application reachability for subscription Request-Id: 1234"
            let escaped = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let echoed = try await api.call(
                .post, "/events/graph/\(org)?validationToken=\(escaped)", token: nil, headers: [.contentType: "text/plain; charset=utf-8"])
            #expect(echoed.status == .ok && echoed.text == token)
            #expect(echoed.headers[.contentType]?.hasPrefix("text/plain") == true)
            // As documented: a token with control characters, or a JSON body that is not a batch, is refused.
            let control = try await api.call(.post, "/events/graph/\(org)?validationToken=a%C2%85b", token: nil)
            #expect(control.status == .badRequest && (try? control.decode(ProblemReply.self))?.code == "invalid_query_parameter")
            let notABatch = try await api.call(.post, "/events/graph/\(org)?validationToken=\(escaped)", token: nil, json: "[null]")
            #expect(notABatch.status == .badRequest && (try? notABatch.decode(ProblemReply.self))?.code == "malformed_notification")

            let unknown = try await api.call(
                .post, "/events/graph/\(org)", token: nil, json: #"{"value":[{"subscriptionId":"nope","clientState":"x","changeType":"updated"}]}"#)
            #expect(unknown.status == .accepted, "answered, counted as refused, nothing queued")
            #expect(try await api.db.scalar("SELECT count(*) FROM jobs") == 0)

            let malformed = try await api.call(.post, "/events/graph/\(org)", token: nil, json: #"{"value": 3}"#)
            #expect(try malformed.status == .badRequest && malformed.decode(ProblemReply.self).code == "malformed_notification", "\(malformed.text)")
            let nul = try await api.call(.post, "/events/graph/\(org)", token: nil, json: #"{"value":[{"subscriptionId":"a\u0000b"}]}"#)
            #expect(nul.status == .badRequest && (try? nul.decode(ProblemReply.self))?.code == "malformed_notification", "\(nul.text)")
            let noOrganization = try await api.call(.post, "/events/graph/acme", token: nil, json: #"{"value":[]}"#)
            #expect(noOrganization.status == .notFound)
        }
    }
}
