import Foundation
import Logging
import UserSyncDomain

/// What a handler knows about the job it runs.
public struct JobContext: Sendable {
    public var organizationID: OrganizationID
    public var jobID: Int64
    /// 1 for the first attempt.
    public var attempt: Int
    public var maxAttempts: Int
    public var logger: Logger

    public init(organizationID: OrganizationID, jobID: Int64, attempt: Int, maxAttempts: Int, logger: Logger) {
        self.organizationID = organizationID
        self.jobID = jobID
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.logger = logger
    }
}

/// A job that will not run again, for its owning record to be told why.
public struct DeadJob: Sendable, Equatable {
    public var organizationID: OrganizationID
    public var jobID: Int64
    public var kind: String
    public var payload: String
    public var error: String
    public var attempts: Int

    public init(organizationID: OrganizationID, jobID: Int64, kind: String, payload: String, error: String, attempts: Int) {
        self.organizationID = organizationID
        self.jobID = jobID
        self.kind = kind
        self.payload = payload
        self.error = error
        self.attempts = attempts
    }
}

/// The handlers a worker runs, by job kind.
///
/// **Delivery is at least once.** A job whose worker dies mid-run is run again by another worker
/// once its lease expires, and a handler may be cancelled by a shutdown and run again later. Every
/// handler must therefore be idempotent: running it twice for the same job must leave the same
/// result as running it once (upserts, not inserts; check before sending).
public struct JobHandlers: Sendable {
    /// How the worker runs one kind (the worker is in another target of this package).
    package struct Entry: Sendable {
        package var run: @Sendable (String, JobContext) async throws -> JobOutcome
        package var onDead: @Sendable (DeadJob) async -> Void
    }

    package private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Registers the handler of `kind`. `onDead` is told when a job of this kind dies (its last
    /// attempt failed, its payload could not be read, or a permanent failure was thrown), so the
    /// domain record that owns the job can say why.
    public mutating func register<Payload: Decodable & Sendable>(
        _ kind: String, payload: Payload.Type,
        onDead: @escaping @Sendable (DeadJob) async -> Void = { _ in },
        run: @escaping @Sendable (Payload, JobContext) async throws -> JobOutcome
    ) {
        entries[kind] = Entry(
            run: { text, context in
                let payload: Payload
                do { payload = try JSONDecoder().decode(Payload.self, from: Data(text.utf8)) } catch {
                    throw PermanentJobFailure("the payload of this \(kind) job cannot be read: \(error)")
                }
                return try await run(payload, context)
            },
            onDead: onDead)
    }

    public var kinds: [String] { entries.keys.sorted() }

    /// Built-in kinds: `noop` (does nothing; for benchmarks and checking a deployment end to end)
    /// and `diagnostic.sleep` (`{"milliseconds": n}`; a job that takes a while, for the same).
    public static var builtIn: JobHandlers {
        var handlers = JobHandlers()
        handlers.register("noop", payload: Empty.self) { _, _ in .succeeded }
        handlers.register("diagnostic.sleep", payload: Sleep.self) { payload, _ in
            try await Task.sleep(for: .milliseconds(max(0, min(payload.milliseconds, 3_600_000))))
            return .succeeded
        }
        return handlers
    }

    /// The payload of a kind that takes none (`{}`).
    public struct Empty: Decodable, Sendable {}
    struct Sleep: Decodable, Sendable { var milliseconds: Int }
}
