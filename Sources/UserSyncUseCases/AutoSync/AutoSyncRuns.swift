import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// Auto Sync runs: plan, then act (DESIGN.md §2). A run plans a policy from the stored
/// membership (``AutoSyncPlanning``), records the plan, and applies it through the sync
/// machinery in the same transaction: primaries, syncs started (with their `sync.run` jobs, by
/// actor `auto_sync` and the policy), handovers, and `auto_sync.remove` jobs for the removals
/// unless the policy's hold keeps them for an admin. A crash before the commit leaves nothing and
/// the job runs again; removal jobs are idempotent.
///
/// Runs of one organization are serialized (a transaction-level advisory lock), since the
/// policies of one person decide together.
public struct AutoSyncRuns: Sendable {
    let database: Database
    let now: @Sendable () -> Date
    let planning: AutoSyncPlanning
    let runs = AutoSyncRunRepository()
    let policies = AutoSyncPolicyRepository()
    let syncs = SyncRepository()
    let audit = AuditLogRepository()

    public init(database: Database, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.now = now
        planning = AutoSyncPlanning(database: database)
    }

    // MARK: Asking for runs

    /// Asks for runs of `policies` in the caller's transaction: marks them and queues a job for
    /// each that had no request waiting (a waiting request's job takes the new one; a running
    /// job that sees a newer mark runs again; the scheduler sweeps a request a finishing job
    /// missed).
    static func request(
        _ policies: [AutoSyncPolicyID], trigger: AutoSyncRun.Trigger, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws {
        guard !policies.isEmpty else { return }
        // A burst of changes (SCIM requests) costs one mark each and one job in all.
        let fresh = try await AutoSyncRunRepository().requestRuns(organization, policies, on: db, logger: logger)
        try await queue(fresh, trigger: trigger, organization: organization, on: db, logger: logger)
    }

    /// Queues a run job for each of `fresh`: policies just marked that had no request waiting.
    static func queue(
        _ fresh: [AutoSyncPolicyID], trigger: AutoSyncRun.Trigger, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws {
        _ = try await JobQueue.enqueue(fresh.map { AutoSyncJobs.runJob($0, trigger: trigger) }, organization: organization, on: db, logger: logger)
    }

    /// An admin's or operator's request for a run of one policy now; an Entra group's membership
    /// is read from Graph first (its poll queues the run). Returns the job's id (nil when one was
    /// already queued, which will see the current membership).
    public func request(
        _ policy: AutoSyncPolicyID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> Int64? {
        try await database.withTenant(organization, logger: logger) { db in
            let group = try await policies.get(organization, policy, on: db, logger: logger).settings.group
            try await runs.requestRuns(organization, [policy], on: db, logger: logger)
            // An Entra group is read first: its poll queues the run once the membership is stored,
            // rather than a run now and another after the poll.
            let job: Int64? =
                if group.source == .entra, let connection = group.connectionID {
                    try await AutoSyncPoller.request(connection, organization: organization, on: db, logger: logger)
                } else {
                    try await JobQueue.enqueue(AutoSyncJobs.runJob(policy, trigger: .manual), organization: organization, on: db, logger: logger)
                }
            try await audit.append(
                .init(action: "auto_sync.run_requested", targetType: "auto_sync_policy", targetID: policy.description),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return job
        }
    }

    // MARK: Running

    /// Plans `policy` and applies the plan. Returns the recorded run; nil when the plan changes
    /// nothing (or the policy is gone).
    public func run(
        _ policy: AutoSyncPolicyID, trigger: AutoSyncRun.Trigger, organization: OrganizationID, logger: Logger
    ) async throws -> AutoSyncRun? {
        try await runReportingRequests(policy, trigger: trigger, organization: organization, logger: logger).run
    }

    /// A run, and whether a run request arrived while it ran (so it must run again).
    func runReportingRequests(
        _ id: AutoSyncPolicyID, trigger: AutoSyncRun.Trigger, organization: OrganizationID, logger: Logger
    ) async throws -> (run: AutoSyncRun?, requestedMeanwhile: Bool) {
        let (run, seen) = try await database.withTenant(organization, logger: logger) { db -> (AutoSyncRun?, Date?) in
            try await lock(organization, on: db, logger: logger)
            let seen = try await runs.runRequest(organization, id, on: db, logger: logger)
            guard let preview = try await planning.preview(id, organization: organization, on: db, logger: logger) else { return (nil, seen) }
            try await runs.markRun(organization, id, through: seen, on: db, logger: logger)
            return (try await apply(preview, trigger: trigger, organization: organization, on: db, logger: logger), seen)
        }
        let latest = try await database.withTenant(organization, logger: logger) { db in
            try await runs.runRequest(organization, id, on: db, logger: logger)
        }
        return (run, latest != nil && latest != seen)
    }

    /// Applies a plan and records its run.
    private func apply(
        _ preview: AutoSyncPlanning.Preview, trigger: AutoSyncRun.Trigger, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws -> AutoSyncRun? {
        let plan = preview.plan, policy = preview.policy.id
        let held = try await runs.held(organization, policy: policy, on: db, logger: logger)
        if let held, plan.primaries.isEmpty, plan.starts.isEmpty, plan.handovers.isEmpty, plan.holdReason != nil {
            // Nothing new: the same removals already wait for a decision.
            let waiting = try await runs.items(organization, run: held.id, limit: .max, kinds: [.removal], on: db, logger: logger)
            if Set(waiting.compactMap(\.sync)) == Set(plan.removals.map(\.sync)) { return held }
        }
        if let held {
            // A newer plan replaces one nobody decided; it holds the removals again if they still need approval.
            var superseded = held
            superseded.state = .superseded
            try await runs.update(organization, superseded, on: db, logger: logger)
        }
        guard !plan.isEmpty else { return nil }
        let actor = AuditActor.autoSync(policy)
        let at = now()
        try await runs.setPrimaries(organization, plan.primaries, by: policy, at: at, on: db, logger: logger)
        var started: [SyncID] = []
        for (connection, starts) in Dictionary(grouping: plan.starts, by: \.connection) {
            guard let platform = preview.connections[connection]?.platform else { continue }
            let verdicts = try await syncs.create(
                organization, people: starts.map(\.person), connection: connection, platform: platform, actor: actor, on: db, logger: logger)
            started += verdicts.filter { $0.verdict == .created }.compactMap(\.sync)
        }
        if started.count >= PlannerStatistics.threshold { try await PlannerStatistics.refreshSyncs(on: db, logger: logger) }
        _ = try await JobQueue.enqueue(SyncJobs.runJobs(started), organization: organization, on: db, logger: logger)
        try await runs.handOver(organization, plan.handovers, from: policy, on: db, logger: logger)

        let run = AutoSyncRun.of(plan, policy: policy, trigger: trigger, now: at)
        let emails = preview.people.mapValues(\.state.email)
        try await runs.insert(
            organization, run, items: AutoSyncRun.items(of: plan, expectations: preview.expectations.map(\.code), emails: emails),
            on: db, logger: logger)
        if run.state == .applied {
            try await queueRemovals(plan.removals.map(\.sync), run: run, organization: organization, on: db, logger: logger)
        }
        try await audit.append(
            .init(
                action: run.state == .held ? "auto_sync.run_held" : "auto_sync.run_applied", targetType: "auto_sync_run",
                targetID: run.id.description, details: Self.details(run)),
            organization: organization, actor: actor, requestID: nil, on: db, logger: logger)
        logger.info(
            "auto sync run",
            metadata: [
                "policy": "\(policy)", "run": "\(run.id)", "state": "\(run.state.rawValue)", "starts": "\(plan.starts.count)",
                "removals": "\(plan.removals.count)",
            ])
        return run
    }

    private func queueRemovals(
        _ ids: [SyncID], run: AutoSyncRun, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws {
        _ = try await JobQueue.enqueue(
            AutoSyncJobs.removeJobs(ids, policy: run.policyID, run: run.id), organization: organization, on: db, logger: logger)
    }

    /// One organization's runs and decisions, one at a time.
    private func lock(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws {
        try await db.run("SELECT pg_advisory_xact_lock(hashtextextended(\("auto_sync:\(organization)"), 0))", logger: logger)
    }

    // MARK: Deciding held runs

    /// Approves or rejects a held run. Approving removes the held removals a plan made now still
    /// wants; rejecting keeps the held syncs, which the policy lets go of.
    public func decide(
        _ id: AutoSyncRunID, _ decision: AutoSyncRun.Decision, organization: OrganizationID, actor: AuditActor, requestID: String?,
        logger: Logger
    ) async throws -> AutoSyncRun {
        try await database.withTenant(organization, logger: logger) { db in
            try await lock(organization, on: db, logger: logger)
            let run = try await runs.get(organization, id, forUpdate: true, on: db, logger: logger)
            let decided = try run.deciding(decision, by: actor.label, at: now())
            let held = try await runs.items(organization, run: id, limit: .max, kinds: [.removal], on: db, logger: logger).compactMap(\.sync)
            var details = ["policy_id": run.policyID.description, "held_removals": "\(held.count)"]
            switch decision {
            case .approve:
                let plan = try await planning.preview(run.policyID, organization: organization, on: db, logger: logger)?.plan
                let removals = plan.map { AutoSyncRun.approvedRemovals(held: held, now: $0).map(\.sync) } ?? []
                try await queueRemovals(removals, run: run, organization: organization, on: db, logger: logger)
                details["removals"] = "\(removals.count)"
            case .reject:
                details["released"] = "\(try await runs.release(organization, held, from: run.policyID, on: db, logger: logger))"
            }
            try await runs.update(organization, decided, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "auto_sync.run_\(decision == .approve ? "approved" : "rejected")", targetType: "auto_sync_run",
                    targetID: id.description, details: details),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return decided
        }
    }

    // MARK: Reading

    /// A run with the first `limit` lines of each kind of its plan, and tallies of them.
    public struct Detail: Sendable {
        public var run: AutoSyncRun
        public var items: [AutoSyncRun.Item]
        public var tallies: [AutoSyncRun.Item.Kind: [String: Int]]
        public var platforms: [ConnectionID: Platform]
    }

    public func get(_ id: AutoSyncRunID, limit: Int, organization: OrganizationID, logger: Logger) async throws -> Detail {
        try await database.withTenant(organization, logger: logger) { db in
            let run = try await runs.get(organization, id, on: db, logger: logger)
            let platforms = try await ConnectionRepository().list(organization, includeDisconnected: true, on: db, logger: logger)
            return Detail(
                run: run, items: try await runs.items(organization, run: id, limit: limit, on: db, logger: logger),
                tallies: try await runs.tallies(organization, run: id, on: db, logger: logger),
                platforms: Dictionary(platforms.map { ($0.id, $0.platform) }) { first, _ in first })
        }
    }

    /// Runs newest first, after the run `cursor` names.
    public func list(
        _ organization: OrganizationID, policy: AutoSyncPolicyID?, state: AutoSyncRun.State?, after cursor: AutoSyncRunID?, limit: Int,
        logger: Logger
    ) async throws -> [AutoSyncRun] {
        try await database.withTenant(organization, logger: logger) { db in
            var last: AutoSyncRun?
            if let cursor { last = try await runs.get(organization, cursor, on: db, logger: logger) }
            return try await runs.list(
                organization, policy: policy, state: state, before: last.map { ($0.createdAt, $0.id) }, limit: limit, on: db, logger: logger)
        }
    }

    static func details(_ run: AutoSyncRun) -> [String: String] {
        let c = run.counts
        var details = [
            "policy_id": run.policyID.description, "trigger": run.trigger.rawValue, "primaries": "\(c.primaries)", "starts": "\(c.starts)",
            "handovers": "\(c.handovers)", "removals": "\(c.removals)", "skips": "\(c.skips)", "not_on_any_platform": "\(c.notOnAnyPlatform)",
        ]
        if let reason = run.holdReason { details["hold_reason"] = reason }
        return details
    }
}
