import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The worker's half of resetting and removing people (a reprompt is `sync.run` jobs).
public struct PersonActions: Sendable {
    let database: Database
    let access: ConnectorAccess
    let syncs = SyncRepository()
    let people = PeopleRepository()
    let audit = AuditLogRepository()

    public init(database: Database, access: ConnectorAccess) {
        self.database = database
        self.access = access
    }

    /// Resets a person: each sync's stored tokens are revoked upstream and its guest removed
    /// upstream, then the sync is deleted; the admin's primary choice is cleared. A removal then
    /// deletes the person and their accounts. Idempotent: what is already gone stays gone.
    func reset(_ payload: PersonJobPayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID, logger = context.logger
        let found = try await database.withTenant(organization, logger: logger) { db -> Person? in
            do { return try await people.get(organization, payload.personID, on: db, logger: logger) } catch DomainError.notFound { return nil }
        }
        guard let person = found else { return .succeeded }
        for sync in person.syncs {
            let upstream = try await undo(sync, logger: logger)
            try await database.withTenant(organization, logger: logger) { db in
                try await syncs.delete(organization, sync.id, on: db, logger: logger)
                try await audit.append(
                    .init(
                        action: "sync.removed", targetType: "sync", targetID: sync.id.description,
                        details: [
                            "person_id": person.id.description, "connection_id": sync.connectionID.description, "upstream": upstream,
                        ]),
                    organization: organization, actor: .system, requestID: nil, on: db, logger: logger)
            }
        }
        try await database.withTenant(organization, logger: logger) { db in
            try await people.clearPrimaryChoice(organization, person.id, on: db, logger: logger)
            if payload.remove {
                try await people.delete(organization, person.id, on: db, logger: logger)
            }
            try await audit.append(
                .init(
                    action: payload.remove ? "person.removed" : "person.reset", targetType: "person", targetID: person.id.description,
                    details: ["email": person.email, "syncs_removed": "\(person.syncs.count)"]),
                organization: organization, actor: .system, requestID: nil, on: db, logger: logger)
        }
        return .succeeded
    }

    /// Undoes a sync upstream; says what happened there, for the audit log. A platform that is
    /// down makes the job retry; one that refuses is noted and the sync goes anyway.
    func undo(_ sync: Sync, logger: Logger) async throws -> String {
        let organization = sync.organizationID
        let sealed = try await database.withTenant(organization, logger: logger) { db in
            try await syncs.tokens(organization, sync.id, on: db, logger: logger)
        }
        let needsUpstream = sealed != nil || (sync.virtualKind == .guest && sync.virtualIdentity != nil)
        guard needsUpstream else { return "nothing upstream" }
        let connection = try await database.withTenant(organization, logger: logger) { db in
            try await ConnectionRepository().get(organization, sync.connectionID, on: db, logger: logger)
        }
        guard !connection.isDisconnected else { return "connection disconnected: nothing could be undone upstream" }
        let connector = try await access.connector(for: connection, database: database, logger: logger)
        var done: [String] = []
        do {
            if let sealed {
                let tokens = try access.open(sealed, organization: organization, sync: sync.id)
                done.append("tokens " + (try await connector.revoke(tokens)).rawValue)
            }
            if sync.virtualKind == .guest, let guest = sync.virtualIdentity {
                try await connector.deleteVirtualAccount(.init(kind: .guest, platformUserID: guest, redeemURL: nil))
                done.append("guest removed")
            }
        } catch let failure as PlatformFailure {
            if failure.isRetryable { throw failure }
            done.append("upstream refused (\(failure.cause.rawValue)): \(failure.message)")
        }
        return done.joined(separator: "; ")
    }

    /// A link sync that waits for the person.
    public static func waitsForPerson(_ sync: Sync) -> Bool {
        guard sync.mode == .link else { return false }
        return sync.status == .pending
            || (sync.status == .failed && sync.cause?.isPersonRefusal == true)
    }
}
