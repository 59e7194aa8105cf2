import Foundation
import Testing
import UserSyncDomain
import UserSyncPersistence
import UserSyncSimulator
import UserSyncTesting

extension RelayReliabilityTests {
    /// Two conversations' events stored together find one connection's job (sql/0043), which
    /// delivers both at once. The one whose post Teams rate-limits goes on in a job of its own,
    /// due after the platform's wait, and neither message is posted twice.
    @Test func aConnectionsJobDeliversItsConversationsAndHandsOverTheOneThatMustWait() async throws {
        let first = relay.member(.slackOnly), second = relay.member(.slackPeer), recipient = relay.member(.teamsOnly)
        // Each sender's conversation with the bot, as the ledger names it.
        var conversations: [String] = []
        for sender in [first, second] {
            try relay.write(.slack, from: sender, to: "bot", "\(recipient.email): opening from \(sender.email)")
            _ = try await relay.received(.teams, by: recipient, containing: "opening from \(sender.email)")
            let opened = try #require(try await relay.ledger(person: sender.id).first { $0.source.senderAccount == sender.user(.slack) })
            conversations.append(opened.source.conversation)
        }

        relay.simulator.addFault(FaultRule(platform: .teams, endpoint: "bot.activities", kind: .rateLimit, times: 1, retryAfter: 6))
        defer { relay.simulator.clearFaults() }
        // Stored in one transaction, as a platform's request of several events is: the second
        // event joins the job the first one queued, which no worker can take before both are in.
        let organization = OrganizationID(UUID(uuidString: relay.organizationID)!)
        let slack = ConnectionID(UUID(uuidString: relay.connections[.slack]!)!)
        try await relay.api.db.service.withTenant(organization, logger: relay.api.db.logger) { db in
            for (sender, conversation) in zip([first, second], conversations) {
                let now = Date(), key = "batched-\(UUID())"
                let message = RelayMessage(
                    id: .init(UUID()), kind: .message, sourceConnectionID: slack, eventKey: key, sourceConversation: conversation,
                    sourceMessageID: key, senderAccount: sender.user(.slack), recipientAccount: nil, toBot: true, threadID: nil, state: .received,
                    sentAt: now, receivedAt: now, updatedAt: now)
                let job = RelayMessageRepository.DeliveryJob(
                    kind: "relay.deliver", payload: #"{"connection": "\#(slack)", "conversations": ["\#(conversation)"]}"#, maxAttempts: 10,
                    conversationsPerJob: 100)
                let body = #"{"text": "\#(recipient.email): together from \#(sender.email)", "files": []}"#
                let stored = try await RelayMessageRepository().store(
                    organization, message, body: body, now: now, job: job, on: db, logger: relay.api.db.logger)
                #expect(stored)
            }
        }
        let together = try await relay.api.db.adminRows(
            "SELECT id::text FROM jobs WHERE kind = 'relay.deliver' AND payload -> 'conversations' = '\(jsonArray(conversations))'::jsonb")
        #expect(together.count == 1, "one job for both conversations")

        for sender in [first, second] { _ = try await relay.received(.teams, by: recipient, containing: "together from \(sender.email)") }
        for sender in [first, second] {
            let copies = relay.inbox(.teams, of: recipient).filter { $0.text.contains("together from \(sender.email)") }
            #expect(copies.count == 1, "\(copies.map(\.text))")
        }
        // The message that met the rate limit waited for it in its conversation's own job.
        let ledger = try await relay.ledger(person: recipient.id)
        let batched = conversations.compactMap { conversation in ledger.first { $0.source.conversation == conversation } }
        var steps: [String: [String]] = [:]
        for message in batched { steps[message.source.conversation] = try await relay.detail(message.id).steps.map(\.step) }
        // Longer than a connector waits in place (5 s in tests), the platform's wait pauses the
        // connection: the conversation that met it, and the other one if it posted after, waited.
        let limited = batched.filter { steps[$0.source.conversation]?.contains("retrying") == true }
        #expect(!limited.isEmpty, "\(steps)")
        for message in limited {
            #expect(steps[message.source.conversation] == ["received", "retrying", "delivered"])
            let successors = try await relay.api.db.adminRows(
                """
                SELECT id::text FROM jobs WHERE kind = 'relay.deliver' AND payload ->> 'conversation' = '\(message.source.conversation)'
                  AND state = 'succeeded' AND run_at > created_at + interval '5 seconds'
                """)
            #expect(successors.count == 1, "the conversation went on in a job of its own, due after the platform's wait")
        }
    }

    private func jsonArray(_ strings: [String]) -> String { "[" + strings.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
}
