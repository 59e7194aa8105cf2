import Foundation
import Logging
import Metrics
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The receiving half of the relay: a platform's event request for one connection is verified
/// with that connection's secret before anything of it is read, its message events are stored in
/// the ledger with the jobs that deliver them (one transaction), and the platform is answered at
/// once. A redelivered event adds nothing; a refused request stores nothing.
public struct RelayInbox: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let connections = ConnectionRepository()
    let messages = RelayMessageRepository()

    public init(database: Database, access: ConnectorAccess, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.settings = settings
    }

    /// Where `platform` sends the events of `connection`, under the deployment's public URL.
    public static func url(publicURL: String, platform: Platform, organization: OrganizationID, connection: ConnectionID) -> String {
        "\(publicURL)/events/\(platform.rawValue)/\(organization)/\(connection)"
    }

    public enum Receipt: Sendable, Equatable {
        /// A handshake to answer with this body.
        case challenge(body: String, contentType: String)
        /// Events taken: `stored` new ones, `duplicates` seen before.
        case stored(stored: Int, duplicates: Int)
    }

    /// Takes one event request of `connection`; throws ``EventRefusal`` for a request that is not
    /// the platform's, and `DomainError.notFound` for a connection that is not there (or not of
    /// `platform`, or disconnected).
    public func receive(
        _ request: InboundRequest, platform: Platform, organization: OrganizationID, connection id: ConnectionID, logger: Logger
    ) async throws -> Receipt {
        let receiver = try await database.withTenant(organization, logger: logger) { db in
            let connection = try await connections.get(organization, id, on: db, logger: logger)
            guard connection.platform == platform, !connection.isDisconnected else { throw DomainError.notFound(resource: "connection") }
            return try await access.eventReceiver(for: connection, on: db, logger: logger)
        }
        let now = settings.now()
        let reception: EventReception
        do { reception = try await receiver.receive(request, now: now) } catch {
            Self.count(platform, error.code.rawValue)
            throw error
        }
        switch reception {
        case .challenge(let body, let contentType):
            Self.count(platform, "handshake")
            return .challenge(body: body, contentType: contentType)
        case .events(let events):
            let receipt = try await store(events, organization: organization, connection: id, now: now, logger: logger)
            Self.count(platform, "stored", by: receipt.stored)
            Self.count(platform, "duplicate", by: receipt.duplicates)
            if events.isEmpty { Self.count(platform, "ignored") }
            return .stored(stored: receipt.stored, duplicates: receipt.duplicates)
        }
    }

    private func store(
        _ events: [InboundEvent], organization: OrganizationID, connection: ConnectionID, now: Date, logger: Logger
    ) async throws -> (stored: Int, duplicates: Int) {
        guard !events.isEmpty else { return (0, 0) }
        return try await database.withTenant(organization, logger: logger) { db in
            try await Self.store(events, organization: organization, connection: connection, now: now, settings: settings, on: db, logger: logger)
        }
    }

    /// Stores each event not seen before in the ledger, with a delivery job of its conversation,
    /// in the caller's transaction.
    static func store(
        _ events: [InboundEvent], organization: OrganizationID, connection: ConnectionID, now: Date, settings: SyncSettings,
        on db: PostgresConnection, logger: Logger
    ) async throws -> (stored: Int, duplicates: Int) {
        let messages = RelayMessageRepository()
        var stored = 0
        var jobs: [NewJob] = []
        for event in events {
            let message = RelayMessage(
                id: .init(UUID()), kind: RelayMessage.Kind(rawValue: event.kind.rawValue) ?? .message, sourceConnectionID: connection,
                eventKey: event.eventKey, sourceConversation: event.conversationID, sourceMessageID: event.messageID,
                senderAccount: event.senderUserID, recipientAccount: event.recipientUserID, toBot: event.toBot, threadID: event.threadID,
                state: .received, sentAt: event.sentAt, receivedAt: now, updatedAt: now)
            let body = try RelayBody(text: event.text, files: event.files).json()
            guard try await messages.insert(organization, message, body: body, on: db, logger: logger) else { continue }
            stored += 1
            jobs.append(
                try RelayJobs.deliverJob(connection: connection, conversation: event.conversationID, maxAttempts: settings.relay.maxAttempts))
        }
        try await JobQueue.enqueue(jobs, organization: organization, on: db, logger: logger)
        return (stored, events.count - stored)
    }

    static func count(_ platform: Platform, _ outcome: String, by amount: Int = 1) {
        guard amount > 0 else { return }
        Counter(label: "usersync_relay_events_total", dimensions: [("platform", platform.rawValue), ("outcome", outcome)]).increment(by: amount)
    }
}

/// What of a message the ledger keeps while delivery needs it.
struct RelayBody: Codable, Sendable {
    var text: String?
    var files: [InboundFile]

    func json() throws -> String { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }

    static func read(_ json: String?) -> RelayBody? {
        json.flatMap { try? JSONDecoder().decode(RelayBody.self, from: Data($0.utf8)) }
    }
}

extension ConnectorAccess {
    /// The event receiver of a stored connection, reading its sealed credentials on `db`.
    func eventReceiver(for connection: PlatformConnection, on db: PostgresConnection, logger: Logger) async throws -> any PlatformEventReceiver {
        let credentials = try await credentials(of: connection, on: db, logger: logger)
        return factory.eventReceiver(for: .init(key: connection.id.description, credentials: credentials, endpoints: connection.endpoints))
    }
}
