import Foundation
import UserSyncDomain
import UserSyncUseCases

/// A message of the delivery ledger: metadata only, never its text.
public struct RelayMessageRepresentation: Encodable, Sendable {
    struct Source: Encodable, Sendable {
        let connectionId: ConnectionID
        let conversation: String
        let messageId: String
        let senderAccount: String
        @Nullable var recipientAccount: String?
        let toBot: Bool
        @Nullable var threadId: String?
    }

    struct Destination: Encodable, Sendable {
        let connectionId: ConnectionID
        @Nullable var sendAs: String?
        @Nullable var conversation: String?
        @Nullable var messageId: String?
    }

    let id: RelayMessageID
    let kind: String
    let state: String
    @Nullable var cause: String?
    @Nullable var causeMessage: String?
    let attempts: Int
    @Nullable var senderPersonId: PersonID?
    @Nullable var recipientPersonId: PersonID?
    let source: Source
    @Nullable var destination: Destination?
    let sentAt: Date
    let receivedAt: Date
    @Nullable var deliveredAt: Date?
    let updatedAt: Date

    public init(_ message: RelayMessage) {
        id = message.id
        kind = message.kind.rawValue
        state = message.state.rawValue
        cause = message.cause
        causeMessage = message.causeMessage
        attempts = message.attempts
        senderPersonId = message.senderPersonID
        recipientPersonId = message.recipientPersonID
        source = Source(
            connectionId: message.sourceConnectionID, conversation: message.sourceConversation, messageId: message.sourceMessageID,
            senderAccount: message.senderAccount, recipientAccount: message.recipientAccount, toBot: message.toBot, threadId: message.threadID)
        destination = message.destinationConnectionID.map {
            Destination(
                connectionId: $0, sendAs: message.sendAs, conversation: message.destinationConversation, messageId: message.destinationMessageID)
        }
        sentAt = message.sentAt
        receivedAt = message.receivedAt
        deliveredAt = message.deliveredAt
        updatedAt = message.updatedAt
    }
}

/// A message with every step of its history.
public struct RelayMessageDetailRepresentation: Encodable, Sendable {
    struct Step: Encodable, Sendable {
        let step: String
        @Nullable var cause: String?
        @Nullable var detail: String?
        let at: Date
    }

    let message: RelayMessageRepresentation
    let steps: [Step]

    init(_ detail: RelayLedger.Detail) {
        message = .init(detail.message)
        steps = detail.steps.map { Step(step: $0.step, cause: $0.cause, detail: $0.detail, at: $0.at) }
    }
}

/// How many messages are in each state, by the platform written on and the one delivered to.
struct RelayCountsRepresentation: Encodable, Sendable {
    struct Line: Encodable, Sendable {
        let fromPlatform: Platform
        @Nullable var toPlatform: Platform?
        let state: String
        let count: Int
    }

    let counts: [Line]
    let totals: [String: Int]

    init(_ counts: [RelayLedger.Count]) {
        self.counts = counts.map { Line(fromPlatform: $0.from, toPlatform: $0.to, state: $0.state.rawValue, count: $0.count) }
        var totals = Dictionary(uniqueKeysWithValues: RelayState.allCases.map { ($0.rawValue, 0) })
        for line in counts { totals[line.state.rawValue, default: 0] += line.count }
        self.totals = totals
    }
}
