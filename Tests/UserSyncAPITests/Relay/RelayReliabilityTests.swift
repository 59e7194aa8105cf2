import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// The relay under a platform that fails now and then: every message is delivered exactly once,
/// in the order it was written, whatever 429s and 5xx the delivering platform answers with; one it
/// refuses for good is recorded as failed, and an admin can replay it. Serialized: faults are the
/// simulator's, shared by the suite.
@Suite(.relayOrganization, .serialized) struct RelayReliabilityTests {
    var relay: RelayOrganization.Fixture { RelayOrganization.current! }

    @Test func underRateLimitsAndOutagesEveryMessageArrivesOnceAndInOrder() async throws {
        let slack = relay.member(.slackOnly), teams = relay.member(.teamsOnly)
        // The first post each way is refused for certain (the check below must not depend on
        // chance), the rest now and then.
        relay.simulator.addFault(FaultRule(platform: .teams, endpoint: "bot.activities", kind: .serverError, times: 1, status: 503))
        relay.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .rateLimit, times: 1, retryAfter: 0.05))
        for (platform, endpoint) in [(Platform.teams, "bot.activities"), (.slack, "chat.postMessage")] {
            relay.simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .rateLimit, probability: 0.1, retryAfter: 0.05))
            relay.simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .serverError, probability: 0.1, status: 503))
        }
        defer { relay.simulator.clearFaults() }
        let count = 20
        let first = try relay.write(.slack, from: slack, to: "bot", "\(teams.email): ordered 0")
        for n in 1..<count { try relay.write(.slack, from: slack, to: "bot", "ordered \(n)", thread: first.id) }
        // The first message opened the conversation; the rest answer it, so they go to the same person.
        let arrived = try await eventually(.seconds(120), "every message reaches Teams") {
            relay.inbox(.teams, of: teams).filter { $0.text.contains("ordered ") }.count >= count
        }
        let received = relay.inbox(.teams, of: teams).filter { $0.text.contains("ordered ") }.map(\.text)
        if !arrived {
            Issue.record("ledger: \(try await relay.ledger(person: slack.id).map { "\($0.state) \($0.cause ?? "-")" }); \(await unanswered(.slack))")
        }
        #expect(received.count == count, "\(received)")
        #expect(received.map { $0.firstMatch(of: /ordered (\d+)/).map { Int($0.1)! } } == Array(0..<count), "\(received)")

        // Back the other way, each a reply in the first one's thread on Teams.
        let thread = try #require(relay.inbox(.teams, of: teams).first { $0.text.contains("ordered 0") })
        for n in 0..<count { try relay.write(.teams, from: teams, to: "bot", "<p>answer \(n)</p>", thread: thread.id) }
        let answered = try await eventually(.seconds(120), "every answer reaches Slack") {
            relay.inbox(.slack, of: slack).filter { $0.text.contains("answer ") }.count >= count
        }
        if !answered {
            Issue.record(
                "ledger: \(try await relay.ledger(person: teams.id).map { "\($0.state) \($0.cause ?? "-") \($0.causeMessage ?? "")" }); \(await unanswered(.teams))"
            )
        }
        let answers = relay.inbox(.slack, of: slack).filter { $0.text.contains("answer ") }.map(\.text)
        #expect(answers.map { $0.firstMatch(of: /answer (\d+)/).map { Int($0.1)! } } == Array(0..<count), "\(answers)")
        #expect(relay.simulator.calls(.teams, "bot.activities", status: 503) > 0, "some deliveries to Teams were refused and tried again")
        #expect(relay.simulator.calls(.slack, "chat.postMessage", status: 429) > 0, "some deliveries to Slack were refused and tried again")
    }
}

extension RelayReliabilityTests {
    /// The platform's event attempts that UserSync did not answer 2xx, for a failure's message.
    func unanswered(_ platform: Platform) async -> String {
        let attempts = relay.simulator.eventDeliveries().filter { $0.platform == platform }
        let refused = attempts.filter { !(200..<300).contains($0.status ?? 0) }
        let ledger = (try? await relay.ledger()) ?? []
        return "\(attempts.count) event attempts, not answered 2xx: "
            + refused.map { "\($0.eventKey) try \($0.retry): \($0.status.map(String.init) ?? $0.error ?? "?")" }.joined(separator: ", ")
            + "; whole ledger: \(ledger.map { "\($0.state) \($0.cause ?? "-")" })" + "; delivery jobs and leases: \(await deliveryState())"
    }

    /// The delivery jobs not finished and the conversation leases, as the superuser sees them.
    func deliveryState() async -> String {
        let jobs: [String] =
            (try? await relay.api.db.adminRows(
                """
                SELECT state || ' attempts ' || attempts || ' due ' || round(extract(epoch FROM run_at - now())::numeric, 1)
                       || ' lease ' || coalesce(lease_owner, '-') || ' error ' || coalesce(last_error, '-')
                FROM jobs WHERE kind = 'relay.deliver' AND state IN ('queued', 'running', 'failed') ORDER BY id
                """)) ?? ["(unreadable)"]
        let leases: [String] =
            (try? await relay.api.db.adminRows(
                """
                SELECT source_conversation || ' held by ' || coalesce(lease_owner::text, '-') || '/' || coalesce(lease_attempt::text, '-')
                       || ' until ' || coalesce(leased_until::text, '-') FROM relay_conversation_leases
                """)) ?? ["(unreadable)"]
        return "jobs \(jobs), leases \(leases)"
    }

    @Test func aMessageThePlatformRefusedIsRecordedAsFailedAndAnAdminCanReplayIt() async throws {
        let sender = relay.member(.slackPeer), recipient = relay.member(.webexOnly)
        // Webex refuses the next post for good (a 400 is not tried again).
        relay.simulator.addFault(FaultRule(platform: .webex, endpoint: "messages", kind: .serverError, times: 1, status: 400))
        try relay.write(.slack, from: sender, to: "bot", "\(recipient.email): refused at first")
        var failed: RelayMessageView?
        #expect(
            try await eventually(.seconds(60), "the message is recorded as failed") {
                failed = try await relay.ledger(person: recipient.id, state: "failed").first
                return failed != nil
            })
        if failed == nil {
            Issue.record("ledger: \(try await relay.ledger(person: recipient.id).map { "\($0.state) \($0.cause ?? "-") \($0.causeMessage ?? "")" })")
        }
        let message = try #require(failed)
        #expect(message.cause == "request_rejected", "\(message)")
        let replayed = try await relay.api.call(.post, "/v1/orgs/acme/messages/\(message.id)/replay")
        #expect(replayed.status == .accepted, "\(replayed.text)")
        _ = try await relay.received(.webex, by: recipient, containing: "refused at first")
        // The platform has it a moment before the ledger says so.
        #expect(
            try await eventually(.seconds(60), "the ledger records the delivery") { try await relay.detail(message.id).message.state == "delivered" })
        let detail = try await relay.detail(message.id)
        #expect(detail.steps.map(\.step) == ["received", "failed", "replayed", "delivered"])
        let again = try await relay.api.call(.post, "/v1/orgs/acme/messages/\(message.id)/replay")
        #expect(again.status == .conflict && again.code == "message_not_replayable", "\(again.text)")
    }
}

extension RelayReliabilityTests {
    @Test func reverifyingTheWebexConnectionMakesSureEveryLinkedPersonsWebhookIsThere() async throws {
        let linked = relay.member(.slackLinkedToWebex)
        let connection = try #require(relay.connections[.webex])
        let current = try await relay.api.call(.get, "/v1/orgs/acme/connections/\(connection)").decode(ConnectionView.self)
        let listed = relay.simulator.calls(.webex, "webhooks")
        // The same base URL, sent again: the connection is verified anew, and its subscriptions too.
        let patched = try await relay.api.call(
            .patch, "/v1/orgs/acme/connections/\(connection)", json: #"{"api_base_url":"\#(current.apiBaseUrl)"}"#)
        #expect(patched.status == .ok, "\(patched.text)")
        // The bot's webhooks are listed with its token, then the linked person's with theirs.
        #expect(
            try await eventually(.seconds(60), "both subscriptions are checked") { relay.simulator.calls(.webex, "webhooks") >= listed + 2 })
        let owners = relay.simulator.webexWebhooks(organization: "acme").map(\.owner)
        #expect(owners.count == 2 && owners.contains(linked.user(.webex)), "\(owners)")
    }
}

extension RelayReliabilityTests {
    @Test func aLinkedPersonsChatSubscriptionThatGraphAsksToReauthorizeIsRenewedAtOnce() async throws {
        let teams = relay.member(.teamsOnly), slack = relay.member(.slackLinkedToTeams)
        func subscription() -> SimGraphSubscription? {
            relay.simulator.graphSubscriptions(organization: "acme").first { $0.chatUserID == slack.user(.teams) }
        }
        #expect(try await eventually(.seconds(60), "the linked person's chats are subscribed to") { subscription() != nil })
        let held = try #require(subscription())
        let renewals = relay.simulator.calls(.teams, "subscriptions.renew")
        // Graph stops notifying until the subscription is reauthorized (renewing does it); its
        // scheduled renewal is most of an hour away.
        #expect(relay.simulator.requireReauthorization(organization: "acme", subscriptionID: held.id))
        #expect(
            try await eventually(.seconds(60), "the subscription is renewed at once") {
                relay.simulator.calls(.teams, "subscriptions.renew") > renewals && subscription()?.needsReauthorization == false
            })
        try relay.write(.teams, from: teams, to: slack.user(.teams), "<p>after reauthorization</p>")
        _ = try await relay.received(.slack, by: slack, containing: "after reauthorization")
    }
}
