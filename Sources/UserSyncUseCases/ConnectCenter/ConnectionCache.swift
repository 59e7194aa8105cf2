import Foundation
import Synchronization
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

/// The platform connections a process read lately, with their opened credentials, so that the
/// relay reads neither for every event and every message. Correct on change: it serves only while
/// ``AccessChangeListener`` hears the `usersync_access` notifications that a trigger sends for
/// every change to a connection (sql/0036): a disconnect, new credentials, a new base URL. See
/// ``HeardChangesCache`` for the rules.
public final class ConnectionCache: AccessChangeObserver {
    struct Entry: Sendable {
        let connection: PlatformConnection
        /// Nil for a disconnected connection.
        let credentials: ConnectionCredentials?
    }

    private let state: Mutex<HeardChangesCache<ConnectionID, Entry>>

    /// `lifetime` 0 turns the cache off.
    public init(lifetime: TimeInterval = 30, capacity: Int = 10_000) {
        state = Mutex(HeardChangesCache(lifetime: lifetime, capacity: capacity))
    }

    /// The connection of `organization` with this id, while a fresh entry holds it.
    func lookup(_ organization: OrganizationID, _ id: ConnectionID, now: Date) -> Entry? {
        state.withLock { $0.lookup(id, now: now) }.flatMap { $0.connection.organizationID == organization ? $0 : nil }
    }

    var ticket: HeardChangesCache<ConnectionID, Entry>.Ticket { state.withLock { $0.ticket } }

    func store(_ entry: Entry, ticket: HeardChangesCache<ConnectionID, Entry>.Ticket, now: Date) {
        state.withLock { $0.store(entry, for: entry.connection.id, ticket: ticket, now: now) }
    }

    /// How many connections are held.
    public var count: Int { state.withLock { $0.count } }

    /// Whether connections are being served from memory (the listener is connected).
    public var isServing: Bool { state.withLock { $0.isServing } }

    public func listening() { state.withLock { $0.startListening() } }
    public func lost() { state.withLock { $0.stopListening() } }

    public func changed(_ change: AccessChange) {
        state.withLock { cache in
            switch change {
            case .connection(let id): cache.forget { key, _ in key == id }
            case .organization(let id): cache.forget { _, entry in entry.connection.organizationID == id }
            case .key: break
            }
        }
    }
}
