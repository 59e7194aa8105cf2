import Foundation

/// What a process read from the database and may serve from memory because it hears every change
/// to it: triggers announce each change on a channel the process listens on (`usersync_access`).
///
/// An entry serves only while the process hears every change (`listening`): a change drops the
/// entries it touches, and a lost or restarted listener drops all of them, since changes may have
/// been missed meanwhile. An entry also lapses after `lifetime`, so it is re-read now and then
/// whatever happens. A read that began before a change cannot store what it read (its `ticket` is
/// stale), so a read racing a change never brings back what the change replaced.
public struct HeardChangesCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public struct Ticket: Sendable, Equatable {
        fileprivate let generation: UInt64
    }

    struct Entry: Sendable {
        var value: Value
        let storedAt: Date
    }

    public let lifetime: TimeInterval
    public let capacity: Int
    public private(set) var listening = false
    private var generation: UInt64 = 0
    private var entries: [Key: Entry] = [:]

    public init(lifetime: TimeInterval, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public var count: Int { entries.count }
    /// Whether entries are served from memory.
    public var isServing: Bool { listening && lifetime > 0 }

    /// The value cached for `key`, while it is fresh.
    public mutating func lookup(_ key: Key, now: Date) -> Value? {
        guard isServing, let entry = entries[key] else { return nil }
        guard now.timeIntervalSince(entry.storedAt) < lifetime, now >= entry.storedAt else {
            entries[key] = nil
            return nil
        }
        return entry.value
    }

    /// Taken before reading the database; ``store(_:for:ticket:now:)`` honours it only if nothing
    /// changed in between.
    public var ticket: Ticket { Ticket(generation: generation) }

    public mutating func store(_ value: Value, for key: Key, ticket: Ticket, now: Date) {
        guard isServing, ticket.generation == generation else { return }
        if entries.count >= capacity, entries[key] == nil {
            // Full: start over rather than track recency; a deployment has far fewer live entries.
            entries.removeAll(keepingCapacity: true)
        }
        entries[key] = Entry(value: value, storedAt: now)
    }

    /// Changes a cached value in place, keeping its age (what the process itself just wrote).
    public mutating func modify(_ key: Key, _ change: (inout Value) -> Void) {
        guard var entry = entries[key] else { return }
        change(&entry.value)
        entries[key] = entry
    }

    /// A change was heard: the entries it touches go, and reads under way may not store.
    public mutating func forget(where touched: (Key, Value) -> Bool) {
        generation &+= 1
        entries = entries.filter { !touched($0.key, $0.value.value) }
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
