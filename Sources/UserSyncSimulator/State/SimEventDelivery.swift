import Foundation
import Synchronization
import UserSyncDomain

/// One request the simulator sent (or tried to send) to an event URL, for tests to read.
public struct SimEventDelivery: Sendable, Codable, Equatable {
    public var organization: String
    public var platform: Platform
    public var url: String
    /// What was sent: `event_callback`, `url_verification` (Slack); `chat_message.sent`,
    /// `bot_notification`, `endpoint.url_validation` (Zoom); `message`, `messageUpdate`,
    /// `messageDelete` (Teams); `created`, `updated`, `deleted` (Webex).
    public var kind: String
    /// What a redelivery repeats: Slack's `event_id`, the Teams activity type and id, Zoom's event
    /// and message id, the Webex webhook id, event and message id.
    public var eventKey: String
    /// 0 for the first attempt, then 1, 2, 3 (Slack's `X-Slack-Retry-Num`).
    public var retry: Int
    /// The status answered; nil when there was no answer in time or no connection.
    public var status: Int?
    /// `http_timeout`, `connection_failed` or `http_error` when the attempt failed.
    public var error: String?
    public var at: Date
}

/// Keeps each conversation's event deliveries in order: a delivery starts when the one queued
/// before it for the same conversation is done (retries included); conversations run in parallel.
final class SimEventQueue: Sendable {
    private let tails = Mutex<[String: Task<Void, Never>]>([:])

    /// Deliveries outlive the request that caused them (the platform answers the person at once
    /// and delivers later), so each runs in a task of its own, chained after its conversation's
    /// previous one.
    func enqueue(_ key: String, _ work: @escaping @Sendable () async -> Void) {
        tails.withLock { tails in
            let previous = tails[key]
            tails[key] = Task {
                await previous?.value
                await work()
            }
        }
    }

    /// Returns when every delivery queued so far has finished (retries included).
    func settle() async {
        let pending = tails.withLock { Array($0.values) }
        for task in pending { await task.value }
    }
}
