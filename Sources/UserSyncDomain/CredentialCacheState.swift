import Foundation

/// A live API key with the organization it belongs to: what a request's credential admits it to.
public struct KeyAdmission: Sendable, Equatable {
    public var key: APIKey
    public var organization: Organization

    public init(key: APIKey, organization: Organization) {
        self.key = key
        self.organization = organization
    }
}

/// A change to a credential or to the organization it admits to, as the database announces it.
public enum AccessChange: Sendable, Equatable {
    case key(APIKeyID)
    case organization(OrganizationID)

    /// `key:<uuid>` or `org:<uuid>`, the payload of a `usersync_access` notification.
    public init?(payload: String) {
        let parts = payload.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        switch parts[0] {
        case "key": self = .key(APIKeyID(id))
        case "org": self = .organization(OrganizationID(id))
        default: return nil
        }
    }
}

/// Which presented keys a process may admit without asking the database.
///
/// An entry serves only while the process hears every change (`listening`): a revocation, a
/// renamed or deleted organization drop the entries they touch, and a lost or restarted listener
/// drops all of them, since changes may have been missed meanwhile. An entry also lapses after
/// `lifetime`, so a key is re-read now and then whatever happens. A lookup that began before a
/// change cannot store what it read (its `ticket` is stale), so a read racing a revocation never
/// revives the key.
public struct CredentialCacheState: Sendable {
    public struct Ticket: Sendable, Equatable {
        fileprivate let generation: UInt64
    }

    struct Entry: Sendable {
        var admission: KeyAdmission
        let storedAt: Date
    }

    public let lifetime: TimeInterval
    public let capacity: Int
    public private(set) var listening = false
    private var generation: UInt64 = 0
    private var entries: [Data: Entry] = [:]

    public init(lifetime: TimeInterval, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public var count: Int { entries.count }
    private var enabled: Bool { listening && lifetime > 0 }

    /// The admission cached for a key hash, while it is fresh.
    public mutating func lookup(_ hash: Data, now: Date) -> KeyAdmission? {
        guard enabled, let entry = entries[hash] else { return nil }
        guard now.timeIntervalSince(entry.storedAt) < lifetime, now >= entry.storedAt else {
            entries[hash] = nil
            return nil
        }
        return entry.admission
    }

    /// Taken before reading the database; ``store(_:for:ticket:now:)`` honours it only if nothing
    /// changed in between.
    public var ticket: Ticket { Ticket(generation: generation) }

    public mutating func store(_ admission: KeyAdmission, for hash: Data, ticket: Ticket, now: Date) {
        guard enabled, ticket.generation == generation else { return }
        if entries.count >= capacity, entries[hash] == nil {
            // Full: start over rather than track recency; a busy deployment has far fewer live keys.
            entries.removeAll(keepingCapacity: true)
        }
        entries[hash] = Entry(admission: admission, storedAt: now)
    }

    /// Records that a key was just used (its `lastUsedAt`), keeping the entry's age.
    public mutating func noteUse(_ hash: Data, at now: Date) {
        entries[hash]?.admission.key.lastUsedAt = now
    }

    public mutating func apply(_ change: AccessChange) {
        generation &+= 1
        switch change {
        case .key(let id): entries = entries.filter { $0.value.admission.key.id != id }
        case .organization(let id): entries = entries.filter { $0.value.admission.organization.id != id }
        }
    }

    /// The listener is (again) hearing every change: start from nothing.
    public mutating func startListening() {
        generation &+= 1
        entries.removeAll()
        listening = true
    }

    /// The listener lost its connection: changes may go unheard, so nothing is served from memory.
    public mutating func stopListening() {
        generation &+= 1
        entries.removeAll()
        listening = false
    }
}
