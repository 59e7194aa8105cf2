import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

extension PeopleRepository {
    /// Two people as routing reads them (``get(_:_:history:on:logger:)`` without history), in one
    /// round trip: those that exist, by id.
    public func current(_ organization: OrganizationID, _ first: PersonID, _ second: PersonID, on db: PostgresConnection, logger: Logger)
        async throws -> [PersonID: Person]
    {
        var people: [PersonID: Person] = [:]
        let statement = CurrentPairStatement(organization: organization.rawValue, first: first.rawValue, second: second.rawValue)
        for try await row in try await db.execute(statement, logger: logger) {
            let person = try Self.personWithAccountsAndSyncs(row, organization)
            people[person.id] = person
        }
        return people
    }

    struct CurrentPairStatement: HotStatement {
        static let sql = """
            SELECT \(PeopleRepository.columns), p.accounts_json, p.syncs_json, p.sync_history_json FROM usersync_person_current($1, $2) p
            UNION ALL
            SELECT \(PeopleRepository.columns), p.accounts_json, p.syncs_json, p.sync_history_json FROM usersync_person_current($1, $3) p
            WHERE $3 <> $2
            """
        let organization: UUID
        let first: UUID
        let second: UUID

        func makeBindings() -> PostgresBindings { bindings(organization, first, second) }
    }
}
