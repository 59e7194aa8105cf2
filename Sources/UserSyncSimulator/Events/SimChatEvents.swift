import Foundation
import UserSyncDomain

/// What happened to a message a person wrote.
enum SimChatChange: String, Sendable {
    case created, edited, deleted
}

/// What a platform knows when it sends the events of one message: the organization (copied out
/// of the lock), where its events go, and which of the two members authorized the app.
struct SimEventContext: Sendable {
    var organization: SimOrganization
    var endpoint: SimEventEndpoint?
    var webhooks: [SimWebexWebhook]
    var authorized: Set<String>
    var now: Date

    func account(_ platform: Platform, _ id: String) -> SimAccount? { organization.directory(platform).account(id) }
}

/// Sends the events a platform sends when a person writes, edits or deletes a DM: Slack
/// `message.im`, Zoom `chat_message.*` and `bot_notification`, Bot Framework activities, Webex
/// webhooks. Messages the app posted itself cause none. Delivery is queued, in order per
/// conversation, outside the state's lock.
struct SimChatEvents: Sendable {
    let state: SimulatorState

    /// `previous` is the message before an edit (Slack shows its text as `previous_message`).
    func emit(_ change: SimChatChange, _ message: SimChatMessage, previous: SimChatMessage? = nil, organization name: String) {
        guard !message.viaApp else { return }
        let now = state.configuration.now()
        let context: SimEventContext? = state.store.withLock { store in
            guard let organization = store.organizations[name] else { return nil }
            let people = [message.author, message.recipient].filter { $0 != SimChat.bot }
            return SimEventContext(
                organization: organization, endpoint: organization.chat.endpoints[message.platform], webhooks: organization.chat.webhooks,
                authorized: Set(people.filter { store.authorized(name, message.platform, $0, now: now) }), now: now)
        }
        guard let context else { return }
        let events: [SimOutgoingEvent] =
            switch message.platform {
            case .slack: SlackEvents.events(change, message, previous: previous, context)
            case .teams: TeamsEvents(state: state).events(change, message, context)
            case .zoom: ZoomEvents.events(change, message, context)
            case .webex: WebexEvents.events(change, message, context)
            }
        SimEventSender(state: state).enqueue(events, conversation: message.conversation)
    }

    /// A random id in a platform's alphabet (event ids, challenges, plain tokens).
    static func randomID(_ length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// RFC 3339 in UTC with milliseconds. The format style, not `ISO8601DateFormatter`: a new
    /// formatter per event was a tenth of the relay benchmark's own CPU (perf).
    static func iso(_ date: Date) -> String { date.formatted(isoStyle) }

    private static let isoStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
