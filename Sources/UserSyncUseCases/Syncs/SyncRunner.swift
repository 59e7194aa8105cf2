import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncWorker

/// The `sync.run` job: carries out one pending sync in the mode the person's accounts call for
/// (DESIGN.md §1): a consent prompt for a link, a guest or bot persona for a virtual sync, or a
/// failure Zoom leaves no way around. Idempotent: a link whose prompt already went out is not
/// prompted again, a guest already invited is not invited again.
public struct SyncRunner: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let recorder = SyncRecorder()
    let failures: SyncFailures
    let prompter: Prompter

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.settings = settings
        self.failures = SyncFailures(database: database, health: health, settings: settings)
        self.prompter = Prompter(database: database, access: access, settings: settings)
    }

    func run(_ payload: SyncJobPayload, context: JobContext) async throws -> JobOutcome {
        let logger = context.logger
        guard let snapshot = try await SyncSnapshot.load(context.organizationID, payload.syncID, database: database, logger: logger),
              snapshot.sync.status == .pending
        else { return .succeeded }
        let sync = snapshot.sync
        if snapshot.secondary.isDisconnected {
            try await recorder.record(sync, .connectionDisconnected(secondary: sync.platform), actor: .system, database: database, logger: logger)
            return .succeeded
        }
        guard let primary = snapshot.primary else {
            try await recorder.record(sync, .primaryRequired, actor: .system, database: database, logger: logger)
            return .succeeded
        }
        let account: SyncPlan.Account = snapshot.secondaryAccount != nil ? .active
            : snapshot.person.accounts.contains { $0.connectionID == snapshot.secondary.id } ? .deactivated : .none
        switch SyncPlan.decide(secondary: sync.platform, account: account) {
        case .impossible(let outcome):
            try await recorder.record(sync, outcome, actor: .system, database: database, logger: logger)
            return .succeeded
        case .virtual(let kind):
            do {
                return try await standIn(kind, snapshot: snapshot, logger: logger)
            } catch let failure as PlatformFailure {
                return try await failures.handle(
                    failure, step: "Inviting a guest", snapshot: snapshot, context: context, failedConnection: snapshot.secondary.id)
            }
        case .link:
            let prompted = try await database.withTenant(sync.organizationID, logger: logger) { db in
                try await ConsentTokenRepository().liveDelivered(sync.organizationID, sync: sync.id, on: db, logger: logger) != nil
            }
            let waiting = SyncOutcome.awaitingConsent(name: snapshot.name, primary: primary.platform, secondary: sync.platform)
            do {
                if !prompted { try await prompter.send(snapshot, logger: logger) }
            } catch let refusal as Prompter.Refusal {
                try await recorder.record(sync, refusal.outcome, actor: .system, database: database, logger: logger)
                return .succeeded
            } catch let failure as PlatformFailure {
                return try await failures.handle(
                    failure, step: "Sending the consent prompt", snapshot: snapshot, context: context,
                    failedConnection: failure.platform == primary.platform ? primary.id : snapshot.secondary.id)
            }
            if sync.cause != waiting.cause || sync.mode != .link {
                try await recorder.record(
                    sync, waiting, actor: .system,
                    changes: .init(mode: .link, linkedAccount: snapshot.secondaryAccount?.id), database: database, logger: logger)
            }
            return .succeeded
        }
    }

    /// A virtual sync: a Teams guest invited once, or a bot persona (nothing upstream).
    private func standIn(_ kind: VirtualKind, snapshot: SyncSnapshot, logger: Logger) async throws -> JobOutcome {
        let sync = snapshot.sync
        var identity = sync.virtualIdentity
        if kind == .guest, identity == nil {
            let connector = try await access.connector(for: snapshot.secondary, database: database, logger: logger)
            let guest = try await connector.createVirtualAccount(
                .init(email: snapshot.person.email, displayName: snapshot.name, redirectURL: settings.publicURL))
            identity = guest.platformUserID
        }
        try await recorder.record(
            sync, .virtualAccountCreated(kind, secondary: sync.platform), actor: .system,
            changes: .init(mode: .virtual, virtualIdentity: identity, virtualKind: kind), database: database, logger: logger)
        return .succeeded
    }

    func died(_ job: DeadJob, logger: Logger) async { await failures.died(job, logger: logger) }
}
