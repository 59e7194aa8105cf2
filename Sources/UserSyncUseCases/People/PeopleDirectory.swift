import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// Reads of the people directory, shared by the JSON list, the CSV export and a person's page.
public struct PeopleDirectory: Sendable {
    let database: Database
    let people = PeopleRepository()
    let connections = ConnectionRepository()

    public init(database: Database) { self.database = database }

    /// One page of people matching `filter`, and the position after its last person when there
    /// may be more.
    public func page(
        _ organization: OrganizationID, _ filter: PeopleRepository.Filter, logger: Logger
    ) async throws -> (people: [Person], next: PeopleRepository.Position?) {
        try await database.withTenant(organization, logger: logger) { db in
            try await page(organization, filter, on: db, logger: logger)
        }
    }

    /// A page of people and the organization's connections (not disconnected), read together:
    /// what the console's Sync users page shows.
    public func listing(
        _ organization: OrganizationID, _ filter: PeopleRepository.Filter, logger: Logger
    ) async throws -> (people: [Person], next: PeopleRepository.Position?, connections: [PlatformConnection]) {
        try await database.withTenant(organization, logger: logger) { db in
            let (found, next) = try await page(organization, filter, on: db, logger: logger)
            return (found, next, try await connections.list(organization, includeDisconnected: false, on: db, logger: logger))
        }
    }

    private func page(
        _ organization: OrganizationID, _ filter: PeopleRepository.Filter, on db: PostgresConnection, logger: Logger
    ) async throws -> (people: [Person], next: PeopleRepository.Position?) {
        var probe = filter
        probe.limit = filter.limit + 1
        let rows = try await people.list(organization, probe, on: db, logger: logger)
        let page = Array(rows.prefix(filter.limit))
        return (page.map(\.person), rows.count > filter.limit ? page.last?.position : nil)
    }

    public func person(_ organization: OrganizationID, _ id: PersonID, logger: Logger) async throws -> Person {
        // One statement that scopes itself: no transaction around it (one round trip).
        try await database.withSelfScopingStatement(logger: logger) { db in
            try await people.get(organization, id, on: db, logger: logger)
        }
    }

    /// Every person matching `filter`, fetched a page (one short transaction) at a time as the
    /// sequence is iterated, for streaming.
    public func all(_ organization: OrganizationID, _ filter: PeopleRepository.Filter, pageSize: Int = 1_000, logger: Logger) -> Pages {
        var filter = filter
        filter.limit = pageSize
        return Pages(directory: self, organization: organization, filter: filter, logger: logger)
    }

    public struct Pages: AsyncSequence, Sendable {
        public typealias Element = [Person]
        let directory: PeopleDirectory
        let organization: OrganizationID
        let filter: PeopleRepository.Filter
        let logger: Logger

        public func makeAsyncIterator() -> Iterator { Iterator(pages: self, filter: filter) }

        public struct Iterator: AsyncIteratorProtocol, Sendable {
            let pages: Pages
            var filter: PeopleRepository.Filter
            var finished = false

            public mutating func next() async throws -> [Person]? {
                guard !finished else { return nil }
                let (page, next) = try await pages.directory.page(pages.organization, filter, logger: pages.logger)
                if let next { filter.after = next } else { finished = true }
                return page.isEmpty ? nil : page
            }
        }
    }
}
