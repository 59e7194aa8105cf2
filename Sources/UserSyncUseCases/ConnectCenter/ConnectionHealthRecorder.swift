import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// Auto Heal, admin side: a platform call that fails for a reason only an admin can fix moves the
/// connection to `needs_attention` with the cause (and schedules re-checks); a call that works
/// again moves it back to `connected`. Every change is in the audit log.
public struct ConnectionHealthRecorder: Sendable {
    let database: Database
    let connections = ConnectionRepository()
    let audit = AuditLogRepository()
    /// The first re-check of a connection that needs attention comes this long after the failure.
    let firstCheck: Duration
    /// The wall clock re-checks are scheduled from.
    let now: @Sendable () -> Date

    public init(database: Database, firstCheck: Duration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.firstCheck = firstCheck
        self.now = now
    }

    /// Records a failed call. Only failures an admin must fix change the connection's health.
    public func record(_ failure: PlatformFailure, connection: ConnectionID, organization: OrganizationID, logger: Logger) async {
        guard failure.fixer == .admin else { return }
        do {
            try await database.withTenant(organization, logger: logger) { db in
                try await markNeedsAttention(failure, connection: connection, organization: organization, on: db, logger: logger)
            }
        } catch {
            logger.error("recording a connection's health failed", metadata: ["error": "\(error)"])
        }
    }

    /// In the caller's transaction: `needs_attention` with the cause, an audit entry, and a
    /// re-check job, when the health changed.
    func markNeedsAttention(
        _ failure: PlatformFailure, connection: ConnectionID, organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws {
        guard
            let changed = try await connections.setHealth(
                organization, connection, .needsAttention, cause: failure.cause.rawValue, message: Self.message(failure),
                verified: false, on: db, logger: logger)
        else { return }
        try await audit.append(
            .init(
                action: "connection.needs_attention", targetType: "connection", targetID: connection.description,
                details: ["cause": failure.cause.rawValue, "message": Self.message(failure)]),
            organization: organization, actor: .system, requestID: nil, on: db, logger: logger)
        let check = try NewJob(
            kind: DirectoryJobs.verifyConnection, payload: VerifyConnectionPayload(connectionID: connection),
            runAt: now().addingTimeInterval(firstCheck.seconds), maxAttempts: 20,
            dedupeKey: "verify:\(connection)")
        try await JobQueue.enqueue(check, organization: organization, on: db, logger: logger)
        logger.warning(
            "connection needs attention",
            metadata: [
                "connection_id": "\(changed.id)", "cause": "\(failure.cause.rawValue)",
            ])
    }

    /// Records a call that worked with the connection's app credentials: a connection that needed
    /// attention is connected again.
    public func recordSuccess(connection: ConnectionID, organization: OrganizationID, actor: AuditActor = .system, logger: Logger) async throws {
        try await database.withTenant(organization, logger: logger) { db in
            try await markConnected(connection: connection, organization: organization, actor: actor, on: db, logger: logger)
        }
    }

    func markConnected(
        connection: ConnectionID, organization: OrganizationID, actor: AuditActor, on db: PostgresConnection, logger: Logger
    ) async throws {
        guard
            try await connections.setHealth(
                organization, connection, .connected, cause: nil, message: nil, verified: true, on: db, logger: logger) != nil
        else { return }
        try await audit.append(
            .init(action: "connection.healed", targetType: "connection", targetID: connection.description),
            organization: organization, actor: actor, requestID: nil, on: db, logger: logger)
        // Syncs that failed only because of this connection try again.
        let waiting = try await SyncRepository().waitingForAdmin(organization, connection: connection, on: db, logger: logger)
        let healed = SyncOutcome(status: .pending, cause: .connectionHealed, message: "The connection works again; trying again.")
        try await SyncRecorder().record(organization, waiting.map { .init(sync: $0, outcome: healed) }, actor: .system, on: db, logger: logger)
        _ = try await JobQueue.enqueue(SyncJobs.runJobs(waiting), organization: organization, on: db, logger: logger)
        logger.notice("connection works again", metadata: ["connection_id": "\(connection)"])
    }

    /// What the admin reads: the platform's own words and code.
    static func message(_ failure: PlatformFailure) -> String {
        var text = "\(failure.platform.displayName): \(failure.message)"
        if let code = failure.platformCode { text += " (\(code))" }
        return text
    }
}

/// The job kinds of the Connect Center and imports.
public enum DirectoryJobs {
    /// Runs one import run (`ImportJobPayload`).
    public static let runImport = "directory.import"
    /// Re-checks a connection that needs attention (`VerifyConnectionPayload`).
    public static let verifyConnection = "connection.verify"
    /// Refreshes the planner's statistics of the directory tables after an import grew or changed
    /// an organization (no payload; one waiting per organization, `ImportRunner.refreshStatistics`).
    public static let refreshStatistics = "directory.statistics"
}

public struct VerifyConnectionPayload: Codable, Sendable {
    public var connectionID: ConnectionID

    enum CodingKeys: String, CodingKey { case connectionID = "connection_id" }
}

public struct ImportJobPayload: Codable, Sendable {
    public var importRunID: ImportRunID

    enum CodingKeys: String, CodingKey { case importRunID = "import_run_id" }
}
