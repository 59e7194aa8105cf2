import Foundation
import UserSyncDomain

/// A request as a platform delivered it to one of the relay's event URLs: the raw body (every
/// signature covers the bytes, never a re-encoding) and the headers, names lowercased.
public struct InboundRequest: Sendable {
    public var headers: [String: String]
    public var body: [UInt8]

    public init(headers: [String: String], body: [UInt8]) {
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why an event request was refused. Nothing about a refused request is stored; the API answers
/// with `status` and counts the refusal by `code`.
public struct EventRefusal: Error, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// No signature, or one that does not match (401).
        case unsigned = "unsigned"
        case forgedSignature = "forged_signature"
        /// The timestamp is outside the replay window (401).
        case stale = "stale"
        /// The body is not an event this endpoint takes (400).
        case malformed = "malformed"
        /// The connection has no secret to verify with (the admin has not set it) (401).
        case notConfigured = "not_configured"
        /// What verifies the request could not be had just now (the Bot Framework's signing keys
        /// did not load) (503: the platform delivers the event again later).
        case unverifiable = "unverifiable"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var isClientError: Bool { code == .malformed }

    /// The status the event URL answers with: 400 for a malformed body, 503 when the request
    /// could not be verified for now, else 401.
    public var httpStatus: Int {
        switch code {
        case .malformed: 400
        case .unverifiable: 503
        default: 401
        }
    }
}

/// A file attached to a message: relayed as a link, never uploaded.
public struct InboundFile: Sendable, Equatable, Codable {
    public var name: String
    public var url: String
    public var size: Int?

    public init(name: String, url: String, size: Int? = nil) {
        self.name = name
        self.url = url
        self.size = size
    }
}

/// One message event, verified and parsed: what the relay stores and delivers, whatever the
/// platform.
public struct InboundEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case message, edit, delete }

    public var kind: Kind
    /// What makes a delivery of this event unique on its platform (Slack `event_id`, the Teams
    /// activity id, the Webex webhook notification id, Zoom's message id and event); a redelivery
    /// has the same key.
    public var eventKey: String
    /// The platform's conversation (Slack `D…` channel, Teams conversation or chat id, Webex room,
    /// Zoom: the two users' ids).
    public var conversationID: String
    /// The platform's id of the message written (for an edit or delete: the message changed).
    public var messageID: String
    /// The author's platform user id.
    public var senderUserID: String
    /// The other member of the DM when the event or a lookup names it; nil when it is the app's
    /// bot (a persona conversation) or still to be looked up (``EventCompletion``).
    public var recipientUserID: String?
    /// The DM was written to the app's bot (a reply to a persona).
    public var toBot: Bool
    /// The text in the source platform's markup; nil for a delete, or until fetched (Webex).
    public var text: String?
    /// The message this one replies to in a thread, on the source platform.
    public var threadID: String?
    public var files: [InboundFile]
    public var sentAt: Date

    public init(
        kind: Kind, eventKey: String, conversationID: String, messageID: String, senderUserID: String, recipientUserID: String?,
        toBot: Bool, text: String?, threadID: String?, files: [InboundFile] = [], sentAt: Date
    ) {
        self.kind = kind
        self.eventKey = eventKey
        self.conversationID = conversationID
        self.messageID = messageID
        self.senderUserID = senderUserID
        self.recipientUserID = recipientUserID
        self.toBot = toBot
        self.text = text
        self.threadID = threadID
        self.files = files
        self.sentAt = sentAt
    }
}

/// What a verified event request amounts to.
public enum EventReception: Sendable, Equatable {
    /// A handshake: answer with this body and content type, store nothing.
    case challenge(body: String, contentType: String)
    /// Message events to store (possibly none: events the relay does not act on, or the app's own
    /// posts, are acknowledged and dropped).
    case events([InboundEvent])
}

/// Verifies and parses one connection's event requests (platform-apis.md §1.6, §2.7, §3.6, §4.6;
/// docs/relay.md). Made by ``ConnectorFactory`` from the connection's credentials.
public protocol PlatformEventReceiver: Sendable {
    /// Verifies the request before reading anything of it, then parses it. `now` is the time the
    /// replay window is measured from.
    func receive(_ request: InboundRequest, now: Date) async throws(EventRefusal) -> EventReception
}

/// Who a relayed message is posted as on the destination platform.
public enum RelaySender: Sendable, Equatable {
    /// The sender's own account there, linked by consent, with their tokens.
    case linkedAccount(platformUserID: String, tokens: UserTokens)
    /// The app's bot, showing the sender's name (and avatar where the platform allows) and a fixed
    /// label such as "via Slack".
    case persona(name: String, avatarURL: String?, label: String)

    /// A stand-in speaks, not the person's own account.
    public var isPersona: Bool {
        if case .persona = self { true } else { false }
    }
}

/// A message to post on the destination platform, already in that platform's markup.
public struct RelayPost: Sendable, Equatable {
    public var sender: RelaySender
    /// The recipient's platform user id on the destination platform.
    public var recipientUserID: String
    public var text: String
    /// The destination platform's id of the message this one replies to.
    public var threadID: String?
    /// The relay's own id of the message, carried with the post where the platform keeps such a
    /// thing (Slack message metadata), so that a later attempt can find a post an interrupted
    /// one made (``RelayConnector/posted(_:since:)``).
    public var key: String?

    public init(sender: RelaySender, recipientUserID: String, text: String, threadID: String? = nil, key: String? = nil) {
        self.sender = sender
        self.recipientUserID = recipientUserID
        self.text = text
        self.threadID = threadID
        self.key = key
    }
}

/// A message the relay posted: enough to edit or delete it later.
public struct RelayedMessage: Sendable, Equatable, Codable {
    public var conversationID: String
    public var messageID: String

    public init(conversationID: String, messageID: String) {
        self.conversationID = conversationID
        self.messageID = messageID
    }
}

/// The relay's outbound half of a connector.
/// A person's own subscription to their DMs that lapses unless renewed (Graph).
public struct RelaySubscription: Sendable, Equatable {
    public var id: String
    public var expiresAt: Date

    public init(id: String, expiresAt: Date) {
        self.id = id
        self.expiresAt = expiresAt
    }
}

public protocol RelayConnector: Sendable {
    /// Posts a message as `post.sender`.
    func post(_ post: RelayPost) async throws(PlatformFailure) -> RelayedMessage
    /// The messages that may be the post an earlier attempt of `post` made since `since`, when
    /// that attempt was interrupted before the ledger recorded it, oldest first: none when there
    /// is none, or when the platform cannot tell (the caller then posts again). Slack finds it by
    /// `post.key` in its metadata; Teams by its author and exact text among the chat's newest
    /// messages, so the caller passes over those the ledger knows it posted.
    func posted(_ post: RelayPost, since: Date) async throws(PlatformFailure) -> [RelayedMessage]
    /// Whether ``posted(_:since:)`` can find such a message.
    var findsEarlierPosts: Bool { get }
    /// Replaces the text of a message the relay posted.
    func edit(_ message: RelayedMessage, sender: RelaySender, recipientUserID: String, text: String) async throws(PlatformFailure)
    /// Deletes a message the relay posted; one already gone succeeds.
    func delete(_ message: RelayedMessage, sender: RelaySender, recipientUserID: String) async throws(PlatformFailure)
    /// Fills in what the event did not carry: the text (Webex sends ids only) and the DM's other
    /// member (Slack, Webex). Returns the event unchanged when nothing is missing.
    func complete(_ event: InboundEvent) async throws(PlatformFailure) -> InboundEvent
    /// The same, reading with a person's own token: the message of a DM to their linked
    /// account, which the app's bot cannot read (Webex). Elsewhere the same as `complete(_:)`.
    func complete(_ event: InboundEvent, readingAs tokens: UserTokens) async throws(PlatformFailure) -> InboundEvent
    /// Makes sure the platform sends events to `url` signed with `secret` (Webex webhooks); a
    /// no-op where the admin registers the URL in the app's settings (Slack, Teams, Zoom).
    func subscribeToEvents(url: String, secret: String) async throws(PlatformFailure)
    /// Makes sure the platform sends the events of a person's own DMs to `url`, registered with
    /// their token (Webex: the bot hears only its own rooms; Teams: a Graph subscription to their
    /// chat messages, `secret` its client state); a no-op where the app's subscription already
    /// covers the people who authorized it (Slack, Zoom). A subscription that lapses unless
    /// renewed is returned, and `renewing` renews it (a new one is made, with `secret`, when the
    /// platform no longer knows it).
    func subscribeToEvents(url: String, secret: String, of tokens: UserTokens, renewing: RelaySubscription?) async throws(PlatformFailure)
        -> RelaySubscription?
    /// Whether people's linked accounts need a subscription of their own to be heard.
    var hearsLinkedAccountsBySubscription: Bool { get }
}

extension RelayConnector {
    public func posted(_ post: RelayPost, since: Date) async throws(PlatformFailure) -> [RelayedMessage] { [] }
    public var findsEarlierPosts: Bool { false }
    public func complete(_ event: InboundEvent, readingAs tokens: UserTokens) async throws(PlatformFailure) -> InboundEvent {
        try await complete(event)
    }
    public func subscribeToEvents(url: String, secret: String, of tokens: UserTokens, renewing: RelaySubscription?) async throws(PlatformFailure)
        -> RelaySubscription?
    { nil }
    public var hearsLinkedAccountsBySubscription: Bool { false }
}
