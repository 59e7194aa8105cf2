import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The `sync.run` job: carries out a batch of pending syncs, each in the mode the person's
/// accounts call for (DESIGN.md §1): a consent prompt for a link, a guest or bot persona for a
/// virtual sync, or a failure Zoom leaves no way around.
///
/// A batch costs two transactions whatever its size: one claims the syncs, reads everything they
/// need and stores their new links; the platform calls then run side by side; the other records
/// every outcome, notes the delivered links (superseding older ones) and queues the retries.
///
/// Idempotent: a link whose prompt went out is not prompted again, a guest already invited is
/// not invited again, and a sync another job is working on is left to it. Like every job it runs
/// at least once: a worker that dies between a platform call and the second transaction repeats
/// that call when the job runs again (a second prompt, whose link supersedes the first).
public struct SyncRunner: Sendable {
    let database: Database
    let access: ConnectorAccess
    let health: ConnectionHealthRecorder
    let settings: SyncSettings
    let recorder = SyncRecorder()
    let failures: SyncFailures
    let prompter: Prompter
    let syncs = SyncRepository()

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.health = health
        self.settings = settings
        self.failures = SyncFailures(database: database, settings: settings)
        self.prompter = Prompter(database: database, access: access, settings: settings)
    }

    func run(_ payload: SyncRunPayload, context: JobContext) async throws -> JobOutcome {
        try await work(payload.syncIDs, fresh: payload.fresh, context: context)
        return .succeeded
    }

    func died(_ job: DeadJob, logger: Logger) async { await failures.died(job, logger: logger) }

    /// What a batch does with one sync.
    enum Plan: Sendable {
        /// Nothing to do upstream: the sync moves to this.
        case settle(SyncOutcome, SyncRepository.Changes)
        /// Its prompt is out and its status already says so.
        case leave
        case prompt(Prompter.Prompt)
        case inviteGuest
    }

    /// What came of a sync's platform call.
    enum Upshot: Sendable {
        case done(SyncOutcome, SyncRepository.Changes, delivered: Prompter.Prompt?)
        case failed(PlatformFailure, step: String, connection: ConnectionID)
    }

    struct Batch: Sendable {
        var attempts: [SyncID: Int]
        var plans: [(snapshot: SyncSnapshot, plan: Plan)]
        var connectors: [ConnectionID: any PlatformConnector]
    }

    /// Carries out the pending syncs among `ids`; `fresh` prompts again where a prompt is out.
    func work(_ ids: [SyncID], fresh: Bool, context: JobContext) async throws {
        let organization = context.organizationID, logger = context.logger
        guard let batch = try await prepare(ids, fresh: fresh, context: context) else { return }
        let upshots = await perform(batch)
        // A run whose lease was lost (or that shutdown stopped) records nothing: the job may be
        // running elsewhere, and its cancelled calls are no platform's answer.
        try Task.checkCancellation()

        var changes: [SyncRepository.StatusChange] = []
        var delivered: [Prompter.Prompt] = []
        var retries: [Date: [SyncID]] = [:]
        var needingAttention: [ConnectionID: PlatformFailure] = [:]
        for (snapshot, plan) in batch.plans {
            let id = snapshot.sync.id
            switch (plan, upshots[id]) {
            case (.settle(let outcome, let change), _):
                changes.append(.init(sync: id, outcome: outcome, changes: change))
            case (_, .done(let outcome, let change, let prompt)?):
                changes.append(.init(sync: id, outcome: outcome, changes: change))
                if let prompt { delivered.append(prompt) }
            case (_, .failed(let failure, let step, let connection)?):
                // Each sync backs off by its own tries, to the whole second, so that the retries of a
                // batch still share a few jobs.
                let attempts = batch.attempts[id] ?? 1
                let outcome = failures.judge(
                    failure, during: step, attempts: attempts, retryAt: settings.retryAt(afterAttempt: attempts, from: settings.now()).roundedUp)
                if failure.fixer == .admin { needingAttention[connection] = failure }
                if outcome.status == .pending, let at = outcome.nextRetryAt { retries[at, default: []].append(id) }
                changes.append(.init(sync: id, outcome: outcome, changes: .init(refundAttempt: failure.cause == .rateLimited)))
            case (.leave, _), (_, nil):
                continue
            }
        }
        try await database.withTenant(organization, logger: logger) { db in
            try await prompter.confirm(delivered, organization: organization, on: db, logger: logger)
            let recorded = try await recorder.record(organization, changes, actor: .system, claimedBy: context.jobID, on: db, logger: logger)
            let untouched = batch.attempts.keys.filter { !recorded.contains($0) }
            try await syncs.release(organization, untouched, job: context.jobID, on: db, logger: logger)
            for (at, ids) in retries {
                _ = try await JobQueue.enqueue(SyncJobs.runJobs(ids, runAt: at, fresh: fresh), organization: organization, on: db, logger: logger)
            }
        }
        for (connection, failure) in needingAttention {
            await health.record(failure, connection: connection, organization: organization, logger: logger)
        }
    }

    /// Claims the syncs, reads them, plans each, builds the connectors the plans call and
    /// stores the new links, in one transaction. Nil when there is nothing to claim.
    private func prepare(_ ids: [SyncID], fresh: Bool, context: JobContext) async throws -> Batch? {
        let organization = context.organizationID, logger = context.logger
        let until = settings.now().addingTimeInterval(settings.claimLease.seconds)
        return try await database.withTenant(organization, logger: logger) { db -> Batch? in
            let attempts = try await syncs.claim(organization, ids, job: context.jobID, until: until, on: db, logger: logger)
            guard !attempts.isEmpty else { return nil }
            let claimed = Array(attempts.keys)
            let snapshots = try await SyncSnapshot.load(organization, claimed, on: db, logger: logger)
            let prompted = fresh ? [] : try await ConsentTokenRepository().prompted(organization, syncs: claimed, on: db, logger: logger)
            var plans = snapshots.map { (snapshot: $0, plan: plan($0, prompted: prompted.contains($0.sync.id))) }

            let needed = Dictionary(plans.flatMap { Self.connections($0.plan, of: $0.snapshot) }.map { ($0.id, $0) }) { first, _ in first }
            // A connection that cannot be used settles only the syncs that need it.
            var connectors: [ConnectionID: any PlatformConnector] = [:]
            var blocked: [ConnectionID: SyncOutcome] = [:]
            for connection in needed.values {
                do {
                    connectors[connection.id] = try await access.connector(for: connection, on: db, logger: logger)
                } catch {
                    logger.error("a connection's credentials cannot be opened", metadata: ["connection_id": "\(connection.id)", "error": "\(error)"])
                    blocked[connection.id] = .connectionUnusable(connection.platform)
                }
            }
            for case (let snapshot, .prompt) in plans where blocked[snapshot.secondary.id] == nil {
                guard let connector = connectors[snapshot.secondary.id] else { continue }
                do throws(Prompter.Refusal) { try prompter.checkConsent(connector, platform: snapshot.secondary.platform) } catch {
                    blocked[snapshot.secondary.id] = error.outcome
                }
            }
            for index in plans.indices {
                let uses = Self.connections(plans[index].plan, of: plans[index].snapshot)
                if let outcome = uses.lazy.compactMap({ blocked[$0.id] }).first { plans[index].plan = .settle(outcome, .init()) }
            }
            try await prompter.store(plans.compactMap { if case .prompt(let prompt) = $0.plan { prompt } else { nil } }, on: db, logger: logger)
            return Batch(attempts: attempts, plans: plans, connectors: connectors)
        }
    }

    /// The connections a plan's platform call goes through (a prompt: the secondary, whose OAuth
    /// client is checked, and the primary, whose bot sends it).
    private static func connections(_ plan: Plan, of snapshot: SyncSnapshot) -> [PlatformConnection] {
        switch plan {
        case .prompt: [snapshot.secondary] + (snapshot.primary.map { [$0] } ?? [])
        case .inviteGuest: [snapshot.secondary]
        case .settle, .leave: []
        }
    }

    /// What the sync needs, judged from its snapshot.
    private func plan(_ snapshot: SyncSnapshot, prompted: Bool) -> Plan {
        let sync = snapshot.sync
        if snapshot.secondary.isDisconnected { return .settle(.connectionDisconnected(secondary: sync.platform), .init()) }
        guard let primary = snapshot.primary else { return .settle(.primaryRequired, .init()) }
        let account: SyncPlan.Account =
            snapshot.secondaryAccount != nil
            ? .active
            : snapshot.person.accounts.contains { $0.connectionID == snapshot.secondary.id } ? .deactivated : .none
        switch SyncPlan.decide(secondary: sync.platform, account: account) {
        case .impossible(let outcome):
            return .settle(outcome, .init())
        case .virtual(let kind):
            if kind == .guest, sync.virtualIdentity == nil { return .inviteGuest }
            return .settle(
                .virtualAccountCreated(kind, secondary: sync.platform),
                .init(mode: .virtual, virtualIdentity: sync.virtualIdentity, virtualKind: kind))
        case .link:
            let waiting = SyncOutcome.awaitingConsent(name: snapshot.name, primary: primary.platform, secondary: sync.platform)
            if prompted {
                return sync.cause == waiting.cause && sync.mode == .link
                    ? .leave : .settle(waiting, .init(mode: .link, linkedAccount: snapshot.secondaryAccount?.id))
            }
            do throws(Prompter.Refusal) { return .prompt(try prompter.prepare(snapshot)) } catch { return .settle(error.outcome, .init()) }
        }
    }

    /// Makes the batch's platform calls, `settings.batchConcurrency` at a time. Once a platform
    /// says it is rate limiting a connection, the batch's other calls there do not ask again: the
    /// connection's shared rate limiter answers them with the same wait.
    private func perform(_ batch: Batch) async -> [SyncID: Upshot] {
        let calls = batch.plans.filter {
            switch $0.plan {
            case .prompt, .inviteGuest: true
            case .settle, .leave: false
            }
        }
        return await withTaskGroup(of: (SyncID, Upshot).self) { group in
            var waiting = calls[...]
            func start() {
                guard let (snapshot, plan) = waiting.popFirst() else { return }
                group.addTask { (snapshot.sync.id, await call(plan, for: snapshot, connectors: batch.connectors)) }
            }
            for _ in 0..<settings.batchConcurrency { start() }
            var upshots: [SyncID: Upshot] = [:]
            for await (id, upshot) in group {
                upshots[id] = upshot
                start()
            }
            return upshots
        }
    }

    private func call(_ plan: Plan, for snapshot: SyncSnapshot, connectors: [ConnectionID: any PlatformConnector]) async -> Upshot {
        let sync = snapshot.sync
        let (step, connection): (String, ConnectionID) =
            switch plan {
            case .prompt(let prompt): ("Sending the consent prompt", prompt.primary)
            default: ("Inviting a guest", snapshot.secondary.id)
            }
        do throws(PlatformFailure) {
            switch plan {
            case .prompt(let prompt):
                try await prompter.deliver(prompt, through: connectors[connection]!)
                let waiting = SyncOutcome.awaitingConsent(name: snapshot.name, primary: prompt.primaryPlatform, secondary: sync.platform)
                return .done(waiting, .init(mode: .link, linkedAccount: snapshot.secondaryAccount?.id), delivered: prompt)
            default:
                let guest = try await connectors[connection]!.createVirtualAccount(
                    .init(email: snapshot.person.email, displayName: snapshot.name, redirectURL: settings.publicURL))
                return .done(
                    .virtualAccountCreated(.guest, secondary: sync.platform),
                    .init(mode: .virtual, virtualIdentity: guest.platformUserID, virtualKind: .guest), delivered: nil)
            }
        } catch {
            return .failed(error, step: step, connection: connection)
        }
    }
}
