import Foundation
import UserSyncDomain

/// How the relay behaves (docs/relay.md). Part of ``SyncSettings``; tests shorten the waits.
public struct RelaySettings: Sendable {
    /// How long one worker may hold a conversation before another may take it over (a worker
    /// that died mid-delivery).
    public var conversationLease: Duration = .seconds(5 * 60)
    /// Messages one job delivers from a conversation before it yields the worker to other jobs.
    public var messagesPerRun = 100
    /// Conversations of one connection that one delivery job takes on: an event whose
    /// conversation no run will read joins the connection's job that has not started yet, up to
    /// this many, rather than queueing a job of its own (docs/relay.md, "One job per busy connection").
    public var conversationsPerJob = 100
    /// How long a run reuses what it read for a message (the route, the policy for its two people,
    /// what its thread tells) for the conversation's next messages: a change of any of them reaches
    /// messages delivered this long after it.
    public var runReadReuse: Duration = .seconds(1)
    /// A failed delivery is tried again after this, doubling per attempt up to `maxRetryDelay`.
    public var retryBaseDelay: Duration = .seconds(2)
    public var maxRetryDelay: Duration = .seconds(300)
    /// Attempts of one delivery job before its message is dead (a rate limit does not count).
    public var maxAttempts = 10
    /// How long the text of a message that was not delivered (failed, dead) is kept for a
    /// replay; a delivered message's text is dropped at once.
    public var textRetention: Duration = .seconds(7 * 24 * 3600)
    /// A linked person's own subscription that lapses (Teams) is renewed this long before it does.
    public var subscriptionRenewalMargin: Duration = .seconds(15 * 60)
    /// How often one person is told the same thing about undelivered messages.
    public var notices = RelayNoticeThrottle()

    public init() {}
}
