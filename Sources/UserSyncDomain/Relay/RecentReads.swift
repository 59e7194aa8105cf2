import Foundation

/// Values read from the database once and reused while they are young: what a relay delivery run
/// reads for its conversation's first message (the route between two people, the organization's
/// policy for them) serves the next messages of the run for `maxAge`. A change made meanwhile (a
/// primary, a sync, a restriction) reaches every message delivered `maxAge` after it, however
/// long the run goes on.
public struct RecentReads<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let maxAge: Duration
    private var entries: [Key: (value: Value, readAt: Date)] = [:]

    public init(maxAge: Duration) { self.maxAge = maxAge }

    /// The value read for `key`, if it was read less than `maxAge` before `now` (and not after it:
    /// a clock that went back does not make a value younger).
    public func value(for key: Key, now: Date) -> Value? {
        guard let entry = entries[key] else { return nil }
        let age = now.timeIntervalSince(entry.readAt)
        return age >= 0 && age < maxAge.seconds ? entry.value : nil
    }

    /// Remembers `value`, read for `key` at `readAt`.
    public mutating func store(_ value: Value, for key: Key, readAt: Date) {
        entries[key] = (value, readAt)
    }
}
