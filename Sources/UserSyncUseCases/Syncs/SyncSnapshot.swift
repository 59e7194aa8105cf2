import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// Everything a sync's work needs to know, read in one transaction: the sync, its person with
/// their accounts, and the connections on both sides.
struct SyncSnapshot: Sendable {
    var sync: Sync
    var person: Person
    var secondary: PlatformConnection
    var primary: PlatformConnection?

    var organization: OrganizationID { sync.organizationID }
    var name: String { person.displayName ?? person.email }

    /// The person's active account on their primary connection: where prompts go.
    var primaryAccount: Person.Account? {
        primary.flatMap { primary in person.accounts.first { $0.connectionID == primary.id && $0.isActive } }
    }

    /// The person's active account on the secondary connection: linked when they consent.
    var secondaryAccount: Person.Account? {
        person.accounts.first { $0.connectionID == secondary.id && $0.isActive }
    }

    static func load(_ organization: OrganizationID, _ id: SyncID, on db: PostgresConnection, logger: Logger) async throws -> SyncSnapshot? {
        let sync: Sync
        do { sync = try await SyncRepository().get(organization, id, on: db, logger: logger) } catch DomainError.notFound { return nil }
        let person = try await PeopleRepository().get(organization, sync.personID, on: db, logger: logger)
        let connections = ConnectionRepository()
        let secondary = try await connections.get(organization, sync.connectionID, on: db, logger: logger)
        let primary = try await person.primaryConnectionID.asyncMap { try await connections.get(organization, $0, on: db, logger: logger) }
        return SyncSnapshot(sync: sync, person: person, secondary: secondary, primary: primary)
    }

    static func load(_ organization: OrganizationID, _ id: SyncID, database: Database, logger: Logger) async throws -> SyncSnapshot? {
        try await database.withTenant(organization, logger: logger) { db in try await load(organization, id, on: db, logger: logger) }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
