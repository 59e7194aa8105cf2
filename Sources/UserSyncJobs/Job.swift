import Foundation
import UserSyncDomain

public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, running, succeeded
    /// Dead: the last attempt failed, or the job could never run (unknown kind, bad payload).
    case failed
    case cancelled
}

/// A job to enqueue. The payload is JSON, decoded by the handler of its kind.
public struct NewJob: Sendable, Equatable {
    public var kind: String
    public var payload: String
    /// Higher runs first.
    public var priority: Int
    public var runAt: Date?
    public var maxAttempts: Int
    /// At most one queued-or-running job per organization and key (e.g. one import per connection).
    public var dedupeKey: String?

    public init(kind: String, payload: String = "{}", priority: Int = 0, runAt: Date? = nil, maxAttempts: Int = 10, dedupeKey: String? = nil) {
        self.kind = kind
        self.payload = payload
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.dedupeKey = dedupeKey
    }

    public init(kind: String, payload: some Encodable, priority: Int = 0, runAt: Date? = nil, maxAttempts: Int = 10, dedupeKey: String? = nil) throws
    {
        let data = try JSONEncoder().encode(payload)
        self.init(
            kind: kind, payload: String(decoding: data, as: UTF8.self), priority: priority, runAt: runAt,
            maxAttempts: maxAttempts, dedupeKey: dedupeKey)
    }
}

/// A job as stored.
public struct JobRecord: Sendable, Equatable, Codable {
    public var organizationID: OrganizationID
    public var id: Int64
    public var kind: String
    public var payload: String
    public var priority: Int
    public var runAt: Date
    public var attempts: Int
    public var maxAttempts: Int
    public var state: JobState
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var lastError: String?
    public var dedupeKey: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

/// What a handler's run came to.
public enum JobOutcome: Sendable, Equatable {
    case succeeded
    /// Run again at `until` without spending an attempt (a platform's `Retry-After`).
    case snooze(until: Date, reason: String)
}

/// A failure a handler throws to have the attempt retried at a time it chose (so that it can
/// show that time, e.g. on a sync); after the last attempt the job is dead as for any failure.
public struct RetryLater: Error, Sendable, CustomStringConvertible {
    public var at: Date
    public var description: String

    public init(at: Date, _ description: String) {
        self.at = at
        self.description = description
    }
}

/// A failure a handler throws when retrying cannot help (the job is dead at once).
public struct PermanentJobFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
