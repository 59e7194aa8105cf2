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

    /// Straight from the view, not through a function: a function's query was planned anew on
    /// every call, and calling it cost more than the query. The history's subquery is not
    /// computed when the statement does not name its column.
    struct CurrentPairStatement: HotStatement {
        static let sql = """
            SELECT \(PeopleRepository.columns), p.accounts_json, p.syncs_json, '{}'::text FROM people_directory p
            WHERE p.org_id = $1::uuid AND p.id IN ($2::uuid, $3::uuid)
            """
        let organization: UUID
        let first: UUID
        let second: UUID

        func makeBindings() -> PostgresBindings { bindings(organization, first, second) }
    }
}
