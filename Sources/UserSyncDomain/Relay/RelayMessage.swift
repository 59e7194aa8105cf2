import Foundation

/// One cross-platform direct message in the delivery ledger: where it came from, where it went,
/// and what happened to it (docs/relay.md). The text is not part of it: it is kept apart, only
/// while delivery needs it.
public struct RelayMessage: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case message, edit, delete }

    /// How the message appears on the recipient's platform (`MessageRouting`'s sender kinds).
    public var id: RelayMessageID
    public var kind: Kind
    public var sourceConnectionID: ConnectionID
    public var eventKey: String
    public var sourceConversation: String
    public var sourceMessageID: String
    public var senderAccount: String
    public var recipientAccount: String?
    public var toBot: Bool
    public var threadID: String?
    public var state: RelayState
    public var cause: String?
    public var causeMessage: String?
    public var attempts: Int
    /// The job that tries a retrying message again.
    public var retryJobID: Int64?
    public var senderPersonID: PersonID?
    public var recipientPersonID: PersonID?
    public var destinationConnectionID: ConnectionID?
    public var sendAs: String?
    public var destinationConversation: String?
    public var destinationMessageID: String?
    public var sentAt: Date
    public var receivedAt: Date
    public var deliveredAt: Date?
    public var updatedAt: Date

    public init(
        id: RelayMessageID, kind: Kind, sourceConnectionID: ConnectionID, eventKey: String, sourceConversation: String, sourceMessageID: String,
        senderAccount: String, recipientAccount: String?, toBot: Bool, threadID: String?, state: RelayState, cause: String? = nil,
        causeMessage: String? = nil, attempts: Int = 0, retryJobID: Int64? = nil, senderPersonID: PersonID? = nil, recipientPersonID: PersonID? = nil,
        destinationConnectionID: ConnectionID? = nil, sendAs: String? = nil, destinationConversation: String? = nil,
        destinationMessageID: String? = nil, sentAt: Date, receivedAt: Date, deliveredAt: Date? = nil, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.sourceConnectionID = sourceConnectionID
        self.eventKey = eventKey
        self.sourceConversation = sourceConversation
        self.sourceMessageID = sourceMessageID
        self.senderAccount = senderAccount
        self.recipientAccount = recipientAccount
        self.toBot = toBot
        self.threadID = threadID
        self.state = state
        self.cause = cause
        self.causeMessage = causeMessage
        self.attempts = attempts
        self.retryJobID = retryJobID
        self.senderPersonID = senderPersonID
        self.recipientPersonID = recipientPersonID
        self.destinationConnectionID = destinationConnectionID
        self.sendAs = sendAs
        self.destinationConversation = destinationConversation
        self.destinationMessageID = destinationMessageID
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.deliveredAt = deliveredAt
        self.updatedAt = updatedAt
    }

    /// One line of a message's history.
    public struct Step: Sendable, Equatable {
        public var step: String
        public var cause: String?
        public var detail: String?
        public var at: Date

        public init(step: String, cause: String? = nil, detail: String? = nil, at: Date) {
            self.step = step
            self.cause = cause
            self.detail = detail
            self.at = at
        }
    }
}

public typealias RelayMessageID = Identifier<RelayMessage>
