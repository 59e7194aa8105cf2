import Foundation
import Synchronization
import UserSyncDomain
import UserSyncPersistence

/// The API keys a `serve` process admitted lately, so a request is authenticated without a round
/// trip to the database. Correct on revocation: it serves only while ``AccessChangeListener`` hears
/// the database's `usersync_access` notifications (sql/0013), and the process that revokes a key
/// forgets it before answering. See ``CredentialCacheState`` for the rules.
public final class CredentialCache: AccessChangeObserver {
    private let state: Mutex<CredentialCacheState>

    /// `lifetime` 0 turns the cache off.
    public init(lifetime: TimeInterval = 30, capacity: Int = 10_000) {
        state = Mutex(CredentialCacheState(lifetime: lifetime, capacity: capacity))
    }

    func lookup(_ hash: Data, now: Date) -> KeyAdmission? { state.withLock { $0.lookup(hash, now: now) } }
    var ticket: CredentialCacheState.Ticket { state.withLock { $0.ticket } }
    func store(_ admission: KeyAdmission, for hash: Data, ticket: CredentialCacheState.Ticket, now: Date) {
        state.withLock { $0.store(admission, for: hash, ticket: ticket, now: now) }
    }
    func noteUse(_ hash: Data, at now: Date) { state.withLock { $0.noteUse(hash, at: now) } }

    /// How many keys are held.
    public var count: Int { state.withLock { $0.count } }

    /// Whether admissions are being served from memory (the listener is connected).
    public var isServing: Bool { state.withLock { $0.isServing } }

    public func listening() { state.withLock { $0.startListening() } }
    public func changed(_ change: AccessChange) { state.withLock { $0.apply(change) } }
    public func lost() { state.withLock { $0.stopListening() } }
}
