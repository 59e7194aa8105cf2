import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The job kinds of Auto Sync.
public enum AutoSyncJobs {
    /// Plans a policy and applies the plan (`AutoSyncRunPayload`).
    public static let run = "auto_sync.run"
    /// Removes syncs a run's plan removes (`AutoSyncRemovePayload`).
    public static let remove = "auto_sync.remove"
    /// Follows the Entra groups read through one Teams connection with Graph delta queries
    /// (`AutoSyncPollPayload`).
    public static let poll = "auto_sync.poll"

    /// Syncs one removal job undoes: each is a platform call or two.
    static let removalBatch = 50

    /// A policy's run. One is queued at a time per policy; a request arriving while one is queued
    /// is served by it.
    static func runJob(_ policy: AutoSyncPolicyID, trigger: AutoSyncRun.Trigger) -> NewJob {
        try! NewJob(kind: run, payload: AutoSyncRunPayload(policyID: policy, trigger: trigger), maxAttempts: 8, dedupeKey: "\(run):\(policy)")
    }

    static func removeJobs(_ syncs: [SyncID], policy: AutoSyncPolicyID, run: AutoSyncRunID) -> [NewJob] {
        stride(from: 0, to: syncs.count, by: removalBatch).map { start in
            let batch = Array(syncs[start..<min(start + removalBatch, syncs.count)])
            return try! NewJob(kind: remove, payload: AutoSyncRemovePayload(policyID: policy, runID: run, syncIDs: batch), maxAttempts: 8)
        }
    }

    static func pollJob(_ connection: ConnectionID) -> NewJob {
        try! NewJob(kind: poll, payload: AutoSyncPollPayload(connectionID: connection), maxAttempts: 5, dedupeKey: "\(poll):\(connection)")
    }
}

public struct AutoSyncRunPayload: Codable, Sendable {
    public var policyID: AutoSyncPolicyID
    public var trigger: AutoSyncRun.Trigger

    enum CodingKeys: String, CodingKey { case policyID = "policy_id", trigger }
}

public struct AutoSyncRemovePayload: Codable, Sendable {
    public var policyID: AutoSyncPolicyID
    public var runID: AutoSyncRunID
    public var syncIDs: [SyncID]

    enum CodingKeys: String, CodingKey { case policyID = "policy_id", runID = "run_id", syncIDs = "sync_ids" }
}

public struct AutoSyncPollPayload: Codable, Sendable {
    public var connectionID: ConnectionID

    enum CodingKeys: String, CodingKey { case connectionID = "connection_id" }
}

/// The worker's half of a removal: each sync is undone like a reset undoes it (user tokens
/// revoked, Teams guests deleted upstream), then deleted. Idempotent: a sync already gone, or no
/// longer kept by the policy (an admin took it over, another policy took it), is left alone.
public struct AutoSyncRemover: Sendable {
    let database: Database
    let actions: PersonActions
    let syncs = SyncRepository()
    let audit = AuditLogRepository()

    public init(database: Database, actions: PersonActions) {
        self.database = database
        self.actions = actions
    }

    func run(_ payload: AutoSyncRemovePayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID, logger = context.logger
        let kept = try await database.withTenant(organization, logger: logger) { db in
            try await syncs.get(organization, payload.syncIDs, keptBy: payload.policyID, on: db, logger: logger)
        }
        for sync in kept {
            let upstream = try await actions.undo(sync, logger: logger)
            try await database.withTenant(organization, logger: logger) { db in
                // Still the policy's: an admin may have taken it over while the platform answered.
                guard try await !syncs.get(organization, [sync.id], keptBy: payload.policyID, on: db, logger: logger).isEmpty else { return }
                try await syncs.delete(organization, sync.id, on: db, logger: logger)
                try await audit.append(
                    .init(
                        action: "sync.removed", targetType: "sync", targetID: sync.id.description,
                        details: [
                            "person_id": sync.personID.description, "connection_id": sync.connectionID.description, "upstream": upstream,
                            "auto_sync_run_id": payload.runID.description,
                        ]),
                    organization: organization, actor: .autoSync(payload.policyID), requestID: nil, on: db, logger: logger)
            }
        }
        return .succeeded
    }
}

extension JobHandlers {
    /// Auto Sync's job kinds.
    public mutating func registerAutoSync(runs: AutoSyncRuns, remover: AutoSyncRemover, poller: AutoSyncPoller) {
        register(AutoSyncJobs.run, payload: AutoSyncRunPayload.self) { payload, context in
            let outcome = try await runs.runReportingRequests(
                payload.policyID, trigger: payload.trigger, organization: context.organizationID, logger: context.logger)
            // A change that arrived during the run finds this job still running: run again for it.
            return outcome.requestedMeanwhile ? .snooze(until: Date(), reason: "membership changed during the run") : .succeeded
        }
        register(AutoSyncJobs.remove, payload: AutoSyncRemovePayload.self) { payload, context in
            try await remover.run(payload, context: context)
        }
        register(AutoSyncJobs.poll, payload: AutoSyncPollPayload.self) { payload, context in
            try await poller.run(payload, context: context)
        }
    }
}
