import Foundation

/// Where a relayed message stands in the delivery ledger (docs/relay.md).
public enum RelayState: String, Sendable, Codable, CaseIterable {
    /// Stored when its event arrived; waiting for the worker.
    case received
    /// A delivery attempt failed for a reason that passes (rate limit, outage); it is tried again.
    case retrying
    case delivered
    /// Not routable: the sender was told why (and the recipient reminded, throttled).
    case notified
    /// Nothing to relay: a DM between two people on the same platform, or the app's own post.
    case ignored
    /// Refused for good; `cause` says why.
    case failed
    /// Its retries ran out; an admin may replay it.
    case dead

    /// Still to be delivered: the conversation's later messages wait behind it.
    public var isPending: Bool { self == .received || self == .retrying }

    /// An admin may send it again.
    public var isReplayable: Bool { self == .dead || self == .failed }
}

/// Why a message could not be routed, as `MessageRouting` says, and who is told.
public enum RelayUnroutable: String, Sendable, CaseIterable {
    case senderUnknown = "sender_unknown"
    case senderDeactivated = "sender_deactivated"
    case senderNotSynced = "sender_not_synced"
    case recipientUnknown = "recipient_unknown"
    case recipientDeactivated = "recipient_deactivated"
    case recipientHasNoPrimary = "recipient_has_no_primary"
    case recipientNotSynced = "recipient_not_synced"
    /// A reply written to the app's bot that answers no persona message.
    case noConversation = "no_conversation"
    /// The organization does not let this person message across platforms.
    case restricted = "restricted"

    /// The recipient can fix it themselves (by syncing), so they are reminded too.
    public var remindsRecipient: Bool { self == .recipientNotSynced || self == .recipientHasNoPrimary }

    /// What the sender's bot message says. `recipient` is the name of the person written to (nil
    /// when unknown), `platform` the one the sender wrote on.
    public func senderNotice(recipient: String?, recipientPlatform: Platform?, platform: Platform) -> String {
        let them = recipient ?? "That person"
        let there = recipientPlatform?.displayName ?? "their platform"
        return switch self {
        case .senderUnknown, .senderNotSynced:
            "Your message to \(them) was not delivered: you are not synced onto \(there) yet. Accept the invitation "
                + "UserSync sent you, or ask your administrator to sync you, then send it again."
        case .senderDeactivated:
            "Your message was not delivered: your \(platform.displayName) account is deactivated in UserSync."
        case .recipientUnknown:
            "Your message was not delivered: no one in your organization has that address."
        case .recipientDeactivated:
            "Your message to \(them) was not delivered: their account is deactivated."
        case .recipientHasNoPrimary, .recipientNotSynced:
            "Your message to \(them) was not delivered: they are not synced onto \(platform.displayName) yet. "
                + "They have been reminded; try again once they are."
        case .noConversation:
            "UserSync could not tell whom your message is for. Reply in the thread of the message you are answering."
        case .restricted:
            "Your message was not delivered: your organization does not allow messages across platforms for this person."
        }
    }

    /// What the recipient's reminder says.
    public func recipientReminder(sender: String, platform: Platform) -> String {
        "\(sender) tried to message you from \(platform.displayName), but you are not synced there yet. "
            + "Accept the invitation UserSync sent you (or ask your administrator) so their messages reach you."
    }
}

/// How often a person may be told the same thing about undelivered messages.
public struct RelayNoticeThrottle: Sendable, Equatable {
    /// Between two notices of the same reason to one sender.
    public var senderInterval: TimeInterval
    /// Between two reminders to one recipient.
    public var recipientInterval: TimeInterval

    public init(senderInterval: TimeInterval = 3_600, recipientInterval: TimeInterval = 86_400) {
        self.senderInterval = senderInterval
        self.recipientInterval = recipientInterval
    }
}

/// The fixed label a persona message carries: the platform the sender wrote on.
public func relayLabel(from platform: Platform) -> String { "via \(platform.displayName)" }
