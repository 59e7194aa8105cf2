import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

/// User Sync as an admin lives it when things go wrong or in bulk: platform failures classified
/// by who fixes them (admin, time), links and sign-ins that expire (`+expiry`), the history and
/// the audit log that say why (`+admin`, `+audit`), the people list filtered by status, and the
/// bulk forms of every action (`+bulk`). The shared steps are in `+helpers`.
@Suite struct UserSyncScenarioTests {
    // MARK: Failures during a sync

    @Test(
        "an admin-only failure (Slack's app credentials revoked before the prompt) fails the sync with cause and fix and flags the connection; once restored, Auto Heal prompts"
    )
    func adminFailureHeals() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            let slack = connected.connections[.slack]!
            #expect(api.simulator.revoke(organization: "acme", platform: .slack))

            let sync = try await Self.startSync(api, person: person.id, onto: connected.connections[.webex]!)
            try await eventually { try await api.syncView(sync).status == "failed" }
            let failed = try await api.syncView(sync)
            #expect(failed.cause == "credentials_rejected")
            #expect(failed.message?.hasPrefix("Sending the consent prompt failed. Slack: ") == true, "\(failed)")
            #expect(failed.fixAction == "Reconnect Slack in the Connect Center (its connection needs attention), then retry.")
            #expect(failed.nextRetryAt == nil)
            try await eventually { try await Self.health(api, slack).state == "needs_attention" }
            #expect(try await Self.health(api, slack).cause == "credentials_rejected")
            #expect(Self.prompts(api, to: person).isEmpty)

            api.simulator.restore(organization: "acme", platform: .slack)
            try await eventually { try await Self.health(api, slack).state == "connected" }
            try await eventually { try await api.syncView(sync).cause == "awaiting_user_consent" }
            let healed = try await api.syncView(sync)
            #expect(healed.status == "pending")
            let prompts = Self.prompts(api, to: person)
            #expect(prompts.count == 1)
            #expect(prompts.first?.platform == .slack)
            let events = Self.history(healed)
            #expect(events.map(\.toStatus) == ["pending", "failed", "pending", "pending"])
            #expect(events.map(\.cause) == ["sync_requested", "credentials_rejected", "connection_healed", "awaiting_user_consent"])
            #expect(events.dropFirst().allSatisfy { $0.actor.kind == "system" })
            let audit = try await Self.audit(api, "target_type=connection&target_id=\(slack)")
            #expect(audit.prefix(2).map(\.action) == ["connection.healed", "connection.needs_attention"])

            let page = try await api.answerConsent(try #require(prompts.first?.link), login: person.email)
            #expect(page.status == .ok)
            #expect(try await api.syncView(sync).status == "synced")
        }
    }

    @Test(
        "a transient failure (HTTP 500 on Slack's chat.postMessage, twice) keeps the sync pending with its next retry time; it converges with one prompt"
    )
    func transientFailureRetries() async throws {
        var settings = testSyncSettings()
        // Long enough that the pending state can be seen between the tries.
        settings.retryBaseDelay = .milliseconds(1500)
        settings.maxRetryDelay = .seconds(3)
        try await withSimulatedAPI(organizations: [("acme", 40)], sync: settings) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .serverError, times: 2, status: 500))

            let requested = Date()
            let sync = try await Self.startSync(api, person: person.id, onto: connected.connections[.webex]!)
            var seen: SyncView?
            try await eventually(.seconds(20)) {
                let current = try await api.syncView(sync)
                seen = current
                return current.cause == "platform_unavailable"
            }
            let observed = Date()
            let waiting = try #require(seen)
            #expect(waiting.status == "pending")
            #expect(waiting.message?.contains("will be retried") == true, "\(waiting)")
            let next = try #require(waiting.nextRetryAt, "\(waiting)")
            // The API shows whole seconds; the first retry is 0.75–1.5 s after the failure.
            #expect(next > requested.addingTimeInterval(-1) && next < observed.addingTimeInterval(3), "\(next) \(requested) \(observed)")

            try await eventually { try await api.syncView(sync).cause == "awaiting_user_consent" }
            let settled = try await api.syncView(sync)
            #expect(settled.status == "pending")
            #expect(settled.nextRetryAt == nil)
            #expect(api.simulator.calls(.slack, "chat.postMessage", status: 500) == 2)
            let prompts = Self.prompts(api, to: person)
            #expect(prompts.count == 1)
            let events = Self.history(settled)
            #expect(events.map(\.cause) == ["sync_requested", "platform_unavailable", "platform_unavailable", "awaiting_user_consent"])
            #expect(events.map(\.toStatus) == ["pending", "pending", "pending", "pending"])
            #expect(events.filter { $0.cause == "platform_unavailable" }.allSatisfy { $0.nextRetryAt != nil })
            // The one link delivered is the live one.
            let page = try await api.answerConsent(try #require(prompts.first?.link), login: person.email)
            #expect(page.status == .ok)
            #expect(try await api.syncView(sync).status == "synced")
        }
    }

    @Test("a rate limit longer than the connector waits in place (Retry-After: 7) keeps the sync pending until the platform's time; then one prompt")
    func longRateLimit() async throws {
        try await withSimulatedAPI(organizations: [("acme", 40)]) { api in
            let connected = try await Self.setUp(api)
            let person = try #require(try await Self.people(api) { $0.primaryPlatform == .slack && Self.presence($0, .webex) == .active }.first)
            // The tests' connectors wait in place for up to 5 s (SimulatedPlatforms.testSettings).
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .rateLimit, times: 1, retryAfter: 7))

            let requested = Date()
            let sync = try await Self.startSync(api, person: person.id, onto: connected.connections[.webex]!)
            var seen: SyncView?
            let limited = try await eventually(.seconds(20)) {
                let current = try await api.syncView(sync)
                seen = current
                return current.cause == "rate_limited"
            }
            if !limited {
                // Seen once under the whole suite's load: what the platform answered tells a fault
                // that never fired from a rate limit whose record was lost.
                Issue.record(
                    """
                    chat.postMessage was called \(api.simulator.calls(.slack, "chat.postMessage")) times, \
                    \(api.simulator.calls(.slack, "chat.postMessage", status: 429)) answered 429; Slack calls: \
                    \(api.simulator.calls().filter { $0.key.hasPrefix("slack") }.sorted { $0.key < $1.key })
                    """)
            }
            let observed = Date()
            let waiting = try #require(seen)
            #expect(waiting.status == "pending")
            let next = try #require(waiting.nextRetryAt, "\(waiting)")
            // The platform's time: 7 s after its answer (the API shows whole seconds).
            #expect(next >= requested.addingTimeInterval(6) && next <= observed.addingTimeInterval(7.5), "\(next) \(requested) \(observed)")

            try await eventually { try await api.syncView(sync).cause == "awaiting_user_consent" }
            let settled = try await api.syncView(sync)
            let events = Self.history(settled)
            #expect(events.map(\.cause) == ["sync_requested", "rate_limited", "awaiting_user_consent"])
            let promptedAt = try #require(events.last?.at)
            #expect(promptedAt >= next.addingTimeInterval(-1), "tried again at \(promptedAt), before the platform's \(next)")
            #expect(api.simulator.calls(.slack, "chat.postMessage", status: 429) == 1)
            #expect(Self.prompts(api, to: person).count == 1)
        }
    }
}
