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
        try await load(organization, [id], on: db, logger: logger).first
    }

    /// The snapshots of the syncs among `ids` that exist, read with a handful of statements
    /// whatever their number.
    static func load(_ organization: OrganizationID, _ ids: [SyncID], on db: PostgresConnection, logger: Logger) async throws -> [SyncSnapshot] {
        let syncs = try await SyncRepository().get(organization, ids, on: db, logger: logger)
        guard !syncs.isEmpty else { return [] }
        let people = try await PeopleRepository().get(organization, Array(Set(syncs.map(\.personID))), on: db, logger: logger)
        let connections = Dictionary(
            uniqueKeysWithValues: try await ConnectionRepository().list(organization, includeDisconnected: true, on: db, logger: logger)
                .map { ($0.id, $0) })
        return syncs.compactMap { sync in
            guard let person = people[sync.personID], let secondary = connections[sync.connectionID] else { return nil }
            return SyncSnapshot(sync: sync, person: person, secondary: secondary, primary: person.primaryConnectionID.flatMap { connections[$0] })
        }
    }

    static func load(_ organization: OrganizationID, _ id: SyncID, database: Database, logger: Logger) async throws -> SyncSnapshot? {
        try await database.withTenant(organization, logger: logger) { db in try await load(organization, id, on: db, logger: logger) }
    }
}
