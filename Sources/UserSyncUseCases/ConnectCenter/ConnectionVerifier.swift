import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The `connection.verify` job: re-checks a connection that needs attention, so it turns
/// `connected` again by itself once an admin fixes the cause upstream. Checks grow sparser the
/// longer the connection stays broken (half the time since it broke, at most `maxInterval`).
public struct ConnectionVerifier: Sendable {
    let database: Database
    let access: ConnectorAccess
    let health: ConnectionHealthRecorder
    let maxInterval: Duration

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, maxInterval: Duration = .seconds(3600)) {
        self.database = database
        self.access = access
        self.health = health
        self.maxInterval = maxInterval
    }

    func run(_ payload: VerifyConnectionPayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID, logger = context.logger
        let connection = try await database.withTenant(organization, logger: logger) { db in
            try await ConnectionRepository().get(organization, payload.connectionID, on: db, logger: logger)
        }
        guard connection.health == .needsAttention else { return .succeeded }
        let connector = try await access.connector(for: connection, database: database, logger: logger)
        let identity: ConnectedIdentity
        do {
            identity = try await connector.verifyCredentials()
        } catch  where error.fixer == .admin {
            await health.record(error, connection: connection.id, organization: organization, logger: logger)
            return nextCheck(connection, reason: "still needs attention: \(error.cause.rawValue)")
        } catch {
            if error.cause == .rateLimited, let until = error.retryAt { return .snooze(until: until, reason: "rate limited") }
            throw error
        }
        guard identity.workspaceID == connection.workspaceID else {
            return nextCheck(connection, reason: "the credentials now belong to another workspace (\(identity.workspaceID))")
        }
        try await health.recordSuccess(connection: connection.id, organization: organization, logger: logger)
        return .succeeded
    }

    private func nextCheck(_ connection: PlatformConnection, reason: String) -> JobOutcome {
        let now = health.now(), broken = now.timeIntervalSince(connection.healthChangedAt)
        let delay = min(maxInterval.seconds, max(health.firstCheck.seconds, broken / 2))
        return .snooze(until: now.addingTimeInterval(delay), reason: reason)
    }
}
