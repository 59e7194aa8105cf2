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
        // The connection's secret (from the process's cache, else read), and the verification,
        // before anything is stored: a refused request writes nothing. (A Teams token naming a
        // key not yet loaded fetches the Bot Framework's keys meanwhile: at most once a minute,
        // ``SigningKeys``.)
        let now = settings.now()
        let receiver = try await access.eventReceiver(organization, id, platform: platform, now: now, database: database, logger: logger)
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
            let store = { @Sendable (db: PostgresConnection) in
                try await Self.store(events, organization: organization, connection: id, now: now, settings: settings, on: db, logger: logger)
            }
            // One event (as most requests carry) is one round trip that scopes itself; several
            // are stored in one transaction.
            let receipt =
                switch events.count {
                case 0: (stored: 0, duplicates: 0)
                case 1: try await database.withSelfScopingStatement(logger: logger, store)
                default: try await database.withTenant(organization, logger: logger, store)
                }
            Self.count(platform, "stored", by: receipt.stored)
            Self.count(platform, "duplicate", by: receipt.duplicates)
            if events.isEmpty { Self.count(platform, "ignored") }
            return .stored(stored: receipt.stored, duplicates: receipt.duplicates)
        }
    }

    /// Stores each event not seen before in the ledger, on `db` (in the caller's transaction when
    /// it has one), and makes sure a delivery run will see it: the run delivering its
    /// conversation, or the job queued for it before that has not started yet (one job for a
    /// burst), else its connection's job that has not started yet, else a new one
    /// (``RelayMessageRepository/store(_:_:body:now:job:on:logger:)``).
    static func store(
        _ events: [InboundEvent], organization: OrganizationID, connection: ConnectionID, now: Date, settings: SyncSettings,
        on db: PostgresConnection, logger: Logger
    ) async throws -> (stored: Int, duplicates: Int) {
        let messages = RelayMessageRepository()
        var stored = 0
        // Each event locks its conversation until the transaction ends: taken in one order by
        // every request (conversations sorted, each one's events in the order they came), two
        // requests of several events cannot wait for each other's.
        let inOrder = events.enumerated().sorted { ($0.element.conversationID, $0.offset) < ($1.element.conversationID, $1.offset) }
        for (_, event) in inOrder {
            let message = RelayMessage(
                id: .init(UUID()), kind: RelayMessage.Kind(rawValue: event.kind.rawValue) ?? .message, sourceConnectionID: connection,
                eventKey: event.eventKey, sourceConversation: event.conversationID, sourceMessageID: event.messageID,
                senderAccount: event.senderUserID, recipientAccount: event.recipientUserID, toBot: event.toBot, threadID: event.threadID,
                state: .received, sentAt: event.sentAt, receivedAt: now, updatedAt: now)
            let body = try RelayBody(text: event.text, files: event.files).json()
            let job = try RelayJobs.connectionJob(connection: connection, conversation: event.conversationID, maxAttempts: settings.relay.maxAttempts)
            if try await messages.store(
                organization, message, body: body, now: now,
                job: .init(
                    kind: job.kind, payload: job.payload, maxAttempts: job.maxAttempts, conversationsPerJob: settings.relay.conversationsPerJob),
                on: db, logger: logger)
            {
                stored += 1
            }
        }
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
