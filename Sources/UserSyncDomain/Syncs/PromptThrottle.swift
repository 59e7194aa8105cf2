import Foundation

/// A person is prompted at most once per `interval` unless an admin forces it: when the next
/// prompt is allowed, seen at `now` (what the console shows; the reservation itself is made in
/// one statement, `PeopleRepository.reservePrompts`).
public struct PromptThrottle: Sendable, Equatable {
    public let interval: TimeInterval
    public let now: Date

    public init(interval: TimeInterval, now: Date) {
        self.interval = interval
        self.now = now
    }

    /// When `person` may be prompted again; nil when they may be now.
    public func nextAllowed(for person: Person) -> Date? {
        guard let last = person.lastPromptedAt else { return nil }
        let next = last.addingTimeInterval(interval)
        return next > now ? next : nil
    }
}
