import Foundation
import Logging
import UserSyncDomain
import UserSyncJobs

/// The job kinds of User Sync.
public enum SyncJobs {
    /// Carries out a batch of syncs: consent prompts and stand-in accounts (`SyncRunPayload`).
    public static let run = "sync.run"
    /// Keeps a linked sync's own tokens working: refreshes them, proves them, heals (`SyncJobPayload`).
    public static let check = "sync.check"
    /// Resets or removes a person (`PersonJobPayload`). A reprompt is `sync.run` jobs with `fresh`.
    public static let reset = "person.reset"

    /// Syncs one `sync.run` job carries out: big enough that a bulk sync of thousands costs a
    /// few dozen transactions, small enough that a batch finishes in seconds.
    public static let batchSize = 100

    /// The jobs that carry out `syncs`, in batches, from `runAt` on (now when nil); `fresh`
    /// prompts again where a prompt is out (a reprompt, and its retries).
    static func runJobs(_ syncs: [SyncID], runAt: Date? = nil, fresh: Bool = false) -> [NewJob] {
        stride(from: 0, to: syncs.count, by: batchSize).map { start in
            let batch = Array(syncs[start..<min(start + batchSize, syncs.count)])
            return try! NewJob(kind: run, payload: SyncRunPayload(syncIDs: batch, fresh: fresh), runAt: runAt, maxAttempts: 8)
        }
    }
}

public struct SyncRunPayload: Codable, Sendable {
    public var syncIDs: [SyncID]
    /// Prompt again even where a live prompt already went out (a reprompt).
    public var fresh = false

    public init(syncIDs: [SyncID], fresh: Bool = false) {
        self.syncIDs = syncIDs
        self.fresh = fresh
    }

    enum CodingKeys: String, CodingKey { case syncIDs = "sync_ids", fresh }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        syncIDs = try container.decode([SyncID].self, forKey: .syncIDs)
        fresh = try container.decodeIfPresent(Bool.self, forKey: .fresh) ?? false
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
        register(SyncJobs.run, payload: SyncRunPayload.self, onDead: { job in await runner.died(job, logger: logger) }) { payload, context in
            try await runner.run(payload, context: context)
        }
        register(SyncJobs.check, payload: SyncJobPayload.self) { payload, context in
            try await maintainer.run(payload, context: context)
        }
        register(SyncJobs.reset, payload: PersonJobPayload.self) { payload, context in
            try await actions.reset(payload, context: context)
        }
    }
}
