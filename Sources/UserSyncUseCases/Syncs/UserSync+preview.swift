import Foundation
import Logging
import UserSyncDomain
import UserSyncPersistence

extension UserSync {
    /// What starting one person's sync onto a connection would do, with nothing changed: the
    /// confirmation pop-up and `POST …/people/{id}/syncs/preview` read it.
    public struct Preview: Sendable {
        public var person: Person
        public var connection: PlatformConnection
        public var expectation: SyncPreview.Expectation

        public var message: String {
            expectation.message(name: person.displayName ?? person.email, secondary: connection.platform)
        }
    }

    public func preview(
        _ person: PersonID, connection: ConnectionID, organization: OrganizationID, logger: Logger
    ) async throws -> Preview {
        try await database.withTenant(organization, logger: logger) { db in
            let secondary = try await requireConnected(connection, organization: organization, on: db, logger: logger)
            let found = try await people.get(organization, person, on: db, logger: logger)
            let facts = try await syncs.facts(organization, people: [person], connection: connection, on: db, logger: logger)
            return Preview(
                person: found, connection: secondary,
                expectation: SyncPreview.expect(facts[person] ?? .unknown, secondary: secondary.platform))
        }
    }

    /// What starting the syncs of many people onto a connection would do: how many people each
    /// expectation (``SyncPreview/Expectation/code``) applies to, with nothing changed.
    public func preview(
        _ target: Target, connection: ConnectionID, organization: OrganizationID, logger: Logger
    ) async throws -> (connection: PlatformConnection, tally: Tally) {
        try await database.withTenant(organization, logger: logger) { db in
            let secondary = try await requireConnected(connection, organization: organization, on: db, logger: logger)
            var seen = Set<PersonID>()
            let ids = try await ids(target, organization: organization, on: db, logger: logger).filter { seen.insert($0).inserted }
            let facts = try await syncs.facts(organization, people: ids, connection: connection, on: db, logger: logger)
            var tally: Tally = [:]
            for id in ids { tally[SyncPreview.expect(facts[id] ?? .unknown, secondary: secondary.platform).code, default: 0] += 1 }
            return (secondary, tally)
        }
    }
}
