import Logging
import UserSyncDomain
import UserSyncJobs
import UserSyncWorker

/// The job kinds of User Sync.
public enum SyncJobs {
    /// Carries out one sync: a consent prompt or a stand-in account (`SyncJobPayload`).
    public static let run = "sync.run"
    /// Keeps a linked sync's own tokens working: refreshes them, proves them, heals (`SyncJobPayload`).
    public static let check = "sync.check"
    /// Resets or removes a person (`PersonJobPayload`).
    public static let reset = "person.reset"
    /// Sends a person's pending consent prompts again with fresh links (`PersonJobPayload`).
    public static let reprompt = "person.reprompt"

    /// The job that carries out `sync` (one queued at a time per sync).
    static func runJobs(_ syncs: [SyncID]) -> [NewJob] {
        syncs.map { try! NewJob(kind: run, payload: SyncJobPayload(syncID: $0), maxAttempts: 8, dedupeKey: "sync:\($0)") }
    }
}

public struct SyncJobPayload: Codable, Sendable {
    public var syncID: SyncID

    enum CodingKeys: String, CodingKey { case syncID = "sync_id" }
}

public struct PersonJobPayload: Codable, Sendable {
    public var personID: PersonID
    /// For a reset: also delete the person and their accounts.
    public var remove: Bool

    enum CodingKeys: String, CodingKey { case personID = "person_id", remove }
}

extension JobHandlers {
    /// User Sync's job kinds.
    public mutating func registerUserSync(runner: SyncRunner, maintainer: UserTokenMaintainer, actions: PersonActions, logger: Logger) {
        register(SyncJobs.run, payload: SyncJobPayload.self, onDead: { job in await runner.died(job, logger: logger) }) { payload, context in
            try await runner.run(payload, context: context)
        }
        register(SyncJobs.check, payload: SyncJobPayload.self) { payload, context in
            try await maintainer.run(payload, context: context)
        }
        register(SyncJobs.reset, payload: PersonJobPayload.self) { payload, context in
            try await actions.reset(payload, context: context)
        }
        register(SyncJobs.reprompt, payload: PersonJobPayload.self) { payload, context in
            try await actions.reprompt(payload, context: context)
        }
    }
}
