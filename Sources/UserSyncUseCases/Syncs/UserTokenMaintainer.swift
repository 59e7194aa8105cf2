import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The `sync.check` job, one per linked sync, for as long as it is synced (Auto Heal, user side):
/// tokens that are about to expire are refreshed, with no visible change; the others are proven
/// with a call now and then. Tokens that stopped working (revoked, or expired and not
/// refreshable) fail the sync with the cause, and the person is prompted to authorize again.
/// The job snoozes itself until the next check; it ends when the sync is no longer synced.
public struct UserTokenMaintainer: Sendable {
    let database: Database
    let access: ConnectorAccess
    let health: ConnectionHealthRecorder
    let settings: SyncSettings
    let recorder = SyncRecorder()
    let prompter: Prompter
    let syncs = SyncRepository()

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.health = health
        self.settings = settings
        self.prompter = Prompter(database: database, access: access, settings: settings)
    }

    /// The job that keeps `sync` healthy, first due at the first check.
    static func job(for sync: SyncID, settings: SyncSettings, expiresAt: Date?) throws -> NewJob {
        try NewJob(
            kind: SyncJobs.check, payload: SyncJobPayload(syncID: sync), runAt: nextCheck(settings: settings, expiresAt: expiresAt),
            maxAttempts: 20, dedupeKey: "sync-check:\(sync)")
    }

    static func nextCheck(settings: SyncSettings, expiresAt: Date?) -> Date {
        let now = settings.now(), regular = now.addingTimeInterval(settings.tokenCheckInterval.seconds)
        guard let expiresAt else { return regular }
        return max(now, min(regular, expiresAt.addingTimeInterval(-settings.tokenRefreshMargin.seconds)))
    }

    func run(_ payload: SyncJobPayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID, logger = context.logger
        guard let snapshot = try await SyncSnapshot.load(organization, payload.syncID, database: database, logger: logger),
            snapshot.sync.status == .synced, snapshot.sync.mode == .link, !snapshot.secondary.isDisconnected,
            let sealed = try await database.withTenant(
                organization, logger: logger,
                { db in
                    try await syncs.tokens(organization, payload.syncID, on: db, logger: logger)
                })
        else { return .succeeded }
        let tokens = try access.open(sealed, organization: organization, sync: payload.syncID)
        let connector = try await access.connector(for: snapshot.secondary, database: database, logger: logger)
        do {
            if tokens.needsRefresh(at: settings.now(), margin: settings.tokenRefreshMargin.seconds) {
                let fresh = try await connector.refresh(tokens)
                let resealed = try access.seal(fresh, organization: organization, sync: payload.syncID)
                try await database.withTenant(organization, logger: logger) { db in
                    try await syncs.replaceTokens(organization, payload.syncID, resealed, on: db, logger: logger)
                }
                return .snooze(until: Self.nextCheck(settings: settings, expiresAt: fresh.expiresAt), reason: "tokens refreshed")
            }
            _ = try await connector.verifyUserTokens(tokens)
            try await database.withTenant(organization, logger: logger) { db in
                try await syncs.markTokensChecked(organization, payload.syncID, on: db, logger: logger)
            }
            return .snooze(until: Self.nextCheck(settings: settings, expiresAt: tokens.expiresAt), reason: "tokens work")
        } catch let error as PlatformFailure {
            switch error.fixer {
            case .user:
                try await heal(snapshot, logger: logger)
                return .succeeded
            case .admin:
                await health.record(error, connection: snapshot.secondary.id, organization: organization, logger: logger)
                return .snooze(until: Self.nextCheck(settings: settings, expiresAt: nil), reason: error.description)
            case .retry:
                if let until = error.retryAt { return .snooze(until: until, reason: error.description) }
                throw error
            case .nobody:
                return .snooze(until: Self.nextCheck(settings: settings, expiresAt: nil), reason: error.description)
            }
        }
    }

    /// The person's authorization is gone: the sync fails, forgets the tokens, and the person gets
    /// a new link on their primary platform (their consent makes it synced again).
    private func heal(_ snapshot: SyncSnapshot, logger: Logger) async throws {
        var prompted = true
        do { try await prompter.send(snapshot, logger: logger) } catch {
            prompted = false
            logger.warning("re-authorization prompt not sent", metadata: ["sync_id": "\(snapshot.sync.id)", "error": "\(error)"])
        }
        try await recorder.record(
            snapshot.sync,
            .userAuthorizationRevoked(secondary: snapshot.sync.platform, primary: prompted ? snapshot.primary?.platform : nil),
            actor: .system, changes: .init(clearTokens: true), database: database, logger: logger)
    }
}
