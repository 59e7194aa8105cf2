import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// How the relay suites write in the simulated clients and read what arrived.
extension RelayOrganization.Fixture {
    /// `member` writes `text` (in the platform's markup) to `to`: a platform user id, or `bot`.
    @discardableResult
    func write(_ platform: Platform, from member: RelayOrganization.Member, to: String, _ text: String, thread: String? = nil) throws
        -> SimWrittenMessage
    {
        try simulator.writeMessage(
            organization: "acme", platform: platform, SimChatWrite(from: member.user(platform), to: to, text: text, thread: thread))
    }

    func inbox(_ platform: Platform, of member: RelayOrganization.Member) -> [SimInboxMessage] {
        simulator.inbox(organization: "acme", platform: platform, user: member.user(platform)) ?? []
    }

    /// The first message `member` received on `platform` whose text contains `words`, once it is there.
    func received(
        _ platform: Platform, by member: RelayOrganization.Member, containing words: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> SimInboxMessage {
        let arrived = try await eventually(.seconds(60), "\(member.email) receives “\(words)” on \(platform)", sourceLocation: sourceLocation) {
            inbox(platform, of: member).contains { $0.text.contains(words) }
        }
        if !arrived {
            // What the ledger says about the person's messages, to see where it stopped.
            let rows = try await ledger(person: member.id).map { "\($0.state) \($0.cause ?? "-"): \($0.causeMessage ?? "-")" }
            Issue.record("the ledger for \(member.email): \(rows)", sourceLocation: sourceLocation)
        }
        let message = try #require(inbox(platform, of: member).first { $0.text.contains(words) }, sourceLocation: sourceLocation)
        // The platform has it a moment before the ledger records where it went (which a reply needs).
        _ = try await eventually(.seconds(60), "the ledger records “\(words)” delivered", sourceLocation: sourceLocation) {
            try await ledger(person: member.id, state: "delivered").contains { $0.destination?.messageId == message.id }
        }
        return message
    }

    /// The ledger's messages of a person, newest first.
    func ledger(person: String? = nil, state: String? = nil) async throws -> [RelayMessageView] {
        var query = ["limit=200"]
        if let person { query.append("person_id=\(person)") }
        if let state { query.append("state=\(state)") }
        let reply = try await api.call(.get, "/v1/orgs/acme/messages?" + query.joined(separator: "&"))
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(Page<RelayMessageView>.self).items
    }

    func detail(_ id: String) async throws -> RelayMessageDetailView {
        let reply = try await api.call(.get, "/v1/orgs/acme/messages/\(id)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(RelayMessageDetailView.self)
    }
}

/// A message of the ledger (`RelayMessage`).
struct RelayMessageView: Decodable, Sendable {
    struct Source: Decodable, Sendable {
        let connectionId: String
        let conversation: String
        let messageId: String
        let senderAccount: String
        let recipientAccount: String?
        let toBot: Bool
        let threadId: String?
    }

    struct Destination: Decodable, Sendable {
        let connectionId: String
        let sendAs: String?
        let conversation: String?
        let messageId: String?
    }

    let id: String
    let kind: String
    let state: String
    let cause: String?
    let causeMessage: String?
    let attempts: Int
    let senderPersonId: String?
    let recipientPersonId: String?
    let source: Source
    let destination: Destination?
    let sentAt: Date
    let receivedAt: Date
    let deliveredAt: Date?
}

struct RelayMessageDetailView: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        let step: String
        let cause: String?
        let detail: String?
        let at: Date
    }

    let message: RelayMessageView
    let steps: [Step]
}
