import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// The people directory: filtered, sorted, keyset-paginated reads. Every method runs on a
/// connection scoped to `organization`.
public struct PeopleRepository: Sendable {
    public init() {}

    public typealias SortField = PeopleQuery.SortField
    public typealias Position = PeopleQuery.Position
    public typealias Filter = PeopleQuery

    static let columns = """
        p.id, p.email_normalized, p.display_name, p.primary_connection_id, p.primary_source, p.primary_chosen_by,
        p.primary_chosen_at, p.needs_primary_choice, p.all_accounts_deactivated, p.created_at, p.updated_at, p.last_prompted_at
        """

    /// One page of people with their accounts and syncs (without history), and each one's
    /// position for the next page: three statements, the page's accounts and syncs read by the
    /// page's ids (a quarter of the database's work of building them per person in the page's
    /// own statement), those two on their generic plans between two that switch the mode.
    public func list(
        _ organization: OrganizationID, _ filter: Filter, on db: PostgresConnection, logger: Logger
    ) async throws -> [(person: Person, position: Position)] {
        let key = Self.sortKey(filter.sort)
        let rows = try await db.query(query(organization, filter, select: "\(Self.columns), \(key) AS sort_key", paged: true), logger: logger)
        var people: [(person: Person, position: Position)] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            let person = try Self.person(cells, organization)
            people.append((person, Position(key: try cells[12].decode(String.self), id: person.id.rawValue)))
        }
        guard !people.isEmpty else { return [] }
        let ids = people.map(\.person.id)
        // On their generic plans, as an organization the statistics have not seen yet (no import
        // of 1,000, accounts from SCIM one by one) is estimated at a row or two (SyncRepository).
        let (accounts, syncs) = try await db.withGenericPlans(logger: logger) {
            (
                try await self.accounts(organization, people: ids, on: db, logger: logger),
                try await SyncRepository().forPeopleOnGenericPlans(organization, ids, history: false, on: db, logger: logger)
            )
        }
        for index in people.indices {
            people[index].person.accounts = accounts[people[index].person.id] ?? []
            people[index].person.syncs = syncs[people[index].person.id] ?? []
        }
        return people
    }

    /// Every person matching `filter` (its paging ignored), in its order: the targets of a bulk action.
    public func ids(_ organization: OrganizationID, _ filter: Filter, on db: PostgresConnection, logger: Logger) async throws -> [PersonID] {
        let rows = try await db.query(query(organization, filter, select: "p.id", paged: false), logger: logger)
        var ids: [PersonID] = []
        for try await id in rows.decode(UUID.self) { ids.append(PersonID(id)) }
        return ids
    }

    static func sortKey(_ field: SortField) -> String {
        field == .name ? "p.sort_name" : "p.email_normalized"
    }

    /// The filtered, sorted query over people, selecting `select`; `paged` applies the cursor and
    /// limit. Only the conditions a filter sets are written: PostgreSQL parses and plans every
    /// clause of an unnamed statement, and a page's statement with all of them (each `$n IS NULL
    /// OR …`) cost half as much again to plan as the page cost to read.
    func query(_ organization: OrganizationID, _ filter: Filter, select: String, paged: Bool) -> PostgresQuery {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let org = bind(organization.rawValue)
        var conditions = ["p.org_id = \(org)"]
        if let ids = filter.ids {
            conditions.append("p.id = ANY(\(bind(ids.map(\.rawValue)))::uuid[])")
        }
        if let needsPrimaryChoice = filter.needsPrimaryChoice {
            conditions.append("p.needs_primary_choice = \(bind(needsPrimaryChoice))")
        }
        if let deactivated = filter.deactivated {
            conditions.append("p.all_accounts_deactivated = \(bind(deactivated))")
        }
        if let platform = filter.platform {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
                        WHERE a.org_id = \(org) AND a.person_id = p.id AND c.platform = \(bind(platform.rawValue)))
                """)
        }
        if !filter.platforms.isEmpty {
            let platforms = bind(filter.platforms.map(\.rawValue))
            conditions.append(
                """
                (SELECT count(DISTINCT c.platform) FROM platform_accounts a
                 JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
                 WHERE a.org_id = \(org) AND a.person_id = p.id AND a.active AND c.disconnected_at IS NULL
                   AND c.platform = ANY(\(platforms)::text[])) = cardinality(\(platforms)::text[])
                """)
        }
        if let primaryPlatform = filter.primaryPlatform {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM platform_connections c
                        WHERE c.org_id = \(org) AND c.id = p.primary_connection_id AND c.platform = \(bind(primaryPlatform.rawValue)))
                """)
        }
        if let connection = filter.connectionID {
            conditions.append(
                """
                EXISTS (SELECT 1 FROM platform_accounts a
                        WHERE a.org_id = \(org) AND a.person_id = p.id AND a.connection_id = \(bind(connection.rawValue)))
                """)
        }
        if let status = filter.syncStatus {
            let wanted = bind(status.rawValue)
            if let syncPlatform = filter.syncPlatform {
                // "Not created on Teams": does not live on Teams and has no sync there yet.
                let platform = bind(syncPlatform.rawValue)
                let withStatus = """
                    EXISTS (SELECT 1 FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
                            WHERE s.org_id = \(org) AND s.person_id = p.id AND c.platform = \(platform) AND s.status = \(wanted))
                    """
                conditions.append(
                    status != .notCreated
                        ? withStatus
                        : """
                        ((NOT EXISTS (SELECT 1 FROM platform_connections c
                                      WHERE c.org_id = \(org) AND c.id = p.primary_connection_id AND c.platform = \(platform))
                          AND NOT EXISTS (SELECT 1 FROM syncs s JOIN platform_connections c ON c.org_id = s.org_id AND c.id = s.connection_id
                                          WHERE s.org_id = \(org) AND s.person_id = p.id AND c.platform = \(platform)
                                            AND s.status <> 'not_created'))
                         OR \(withStatus))
                        """)
            } else {
                let withStatus = "EXISTS (SELECT 1 FROM syncs s WHERE s.org_id = \(org) AND s.person_id = p.id AND s.status = \(wanted))"
                conditions.append(
                    status != .notCreated
                        ? withStatus
                        : """
                        (NOT EXISTS (SELECT 1 FROM syncs s WHERE s.org_id = \(org) AND s.person_id = p.id AND s.status <> 'not_created')
                         OR \(withStatus))
                        """)
            }
        }
        if let search = filter.search.map({ $0.lowercased().trimmingCharacters(in: .whitespaces) }), !search.isEmpty {
            let text = bind(search)
            conditions.append(
                """
                (strpos(p.email_normalized, \(text)) > 0 OR strpos(lower(coalesce(p.display_name, '')), \(text)) > 0
                 OR EXISTS (SELECT 1 FROM platform_accounts a
                            WHERE a.org_id = \(org) AND a.person_id = p.id
                              AND (strpos(lower(coalesce(a.display_name, '') || ' ' || coalesce(a.real_name, '')), \(text)) > 0
                                   OR strpos(lower(array_to_string(a.emails, ' ')), \(text)) > 0)))
                """)
        }
        let key = Self.sortKey(filter.sort)
        if paged, let after = filter.after {
            conditions.append("(\(key), p.id) \(filter.descending ? "<" : ">") (\(bind(after.key)), \(bind(after.id)))")
        }
        let direction = filter.descending ? "DESC" : "ASC"
        return PostgresQuery(
            unsafeSQL: """
                SELECT \(select) FROM people p
                WHERE \(conditions.joined(separator: "\n  AND "))
                ORDER BY \(key) \(direction), p.id \(direction)
                \(paged ? "LIMIT \(bind(filter.limit))" : "")
                """, binds: binds)
    }

    /// A person with accounts and syncs (with history): one statement, that scopes itself
    /// (`usersync_person`), so `db` may be in a transaction scoped to `organization` or in none.
    /// Routing reads two people without the syncs' history (``current(_:_:_:on:logger:)``).
    public func get(_ organization: OrganizationID, _ id: PersonID, on db: PostgresConnection, logger: Logger) async throws -> Person {
        let rows = try await db.execute(PersonStatement(organization: organization.rawValue, person: id.rawValue), logger: logger)
        for try await row in rows { return try Self.personWithAccountsAndSyncs(row, organization) }
        throw DomainError.notFound(resource: "person")
    }

    static func personWithAccountsAndSyncs(_ row: PostgresRow, _ organization: OrganizationID) throws -> Person {
        let cells = row.makeRandomAccess()
        var person = try Self.person(cells, organization)
        person.accounts = try DirectoryJSON.accounts(try cells[12].decode(String.self))
        person.syncs = try DirectoryJSON.syncs(
            try cells[13].decode(String.self), history: try cells[14].decode(String.self), organization: organization, person: person.id)
        return person
    }

    struct PersonStatement: HotStatement {
        static let sql = "SELECT \(PeopleRepository.columns), p.accounts_json, p.syncs_json, p.sync_history_json FROM usersync_person($1, $2) p"
        let organization: UUID
        let person: UUID

        func makeBindings() -> PostgresBindings { bindings(organization, person) }
    }

    /// The people with these ids (those that exist), with their accounts but not their syncs.
    public func get(_ organization: OrganizationID, _ ids: [PersonID], on db: PostgresConnection, logger: Logger) async throws -> [PersonID: Person] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM people p
            WHERE p.org_id = \(organization.rawValue) AND p.id = ANY(\(ids.map(\.rawValue))::uuid[])
            """, logger: logger)
        var people: [PersonID: Person] = [:]
        for try await row in rows {
            let person = try Self.person(row.makeRandomAccess(), organization)
            people[person.id] = person
        }
        for (id, accounts) in try await accounts(organization, people: Array(people.keys), on: db, logger: logger) {
            people[id]?.accounts = accounts
        }
        return people
    }

    /// Notes that these people were sent a prompt `at` (reprompts are throttled from it).
    public func markPrompted(_ organization: OrganizationID, _ ids: [PersonID], at: Date, on db: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        try await db.query(
            """
            UPDATE people SET last_prompted_at = \(at)
            WHERE org_id = \(organization.rawValue) AND id = ANY(\(ids.map(\.rawValue))::uuid[])
            """, logger: logger)
    }

    /// The accounts of `people`, by person, in connection order.
    func accounts(
        _ organization: OrganizationID, people: [PersonID], on db: PostgresConnection, logger: Logger
    ) async throws -> [PersonID: [Person.Account]] {
        guard !people.isEmpty else { return [:] }
        let rows = try await db.execute(AccountsStatement(organization: organization.rawValue, ids: people.map(\.rawValue)), logger: logger)
        var result: [PersonID: [Person.Account]] = [:]
        // Cell by cell rather than `decode((…).self)`: the variadic decode looks up type metadata
        // for every cell at run time, about a tenth of `serve`'s time on a people page.
        for try await row in rows {
            let r = row.makeRandomAccess()
            result[PersonID(try r[0].decode(UUID.self)), default: []].append(
                Person.Account(
                    id: AccountID(try r[1].decode(UUID.self)), connectionID: ConnectionID(try r[2].decode(UUID.self)),
                    platform: Platform(rawValue: try r[3].decode(String.self)) ?? .slack, platformUserID: try r[4].decode(String.self),
                    email: try r[5].decode(String?.self), emails: try r[6].decode([String].self), displayName: try r[7].decode(String?.self),
                    realName: try r[8].decode(String?.self), isGuest: try r[9].decode(Bool.self), isActive: try r[10].decode(Bool.self),
                    deactivatedAt: try r[11].decode(Date?.self),
                    deactivationReason: try r[12].decode(String?.self).flatMap(Person.DeactivationReason.init(rawValue:)),
                    firstSeenAt: try r[13].decode(Date.self), changedAt: try r[14].decode(Date.self)))
        }
        return result
    }

    struct AccountsStatement: HotStatement {
        static let sql = """
            SELECT a.person_id, a.id, a.connection_id, c.platform, a.platform_user_id, a.email, a.emails, a.display_name, a.real_name,
                   a.is_guest, a.active, a.deactivated_at, a.deactivation_reason, a.first_seen_at, a.updated_at
            FROM platform_accounts a JOIN platform_connections c ON c.org_id = a.org_id AND c.id = a.connection_id
            WHERE a.org_id = $1 AND a.person_id = ANY($2::uuid[])
            ORDER BY a.person_id, c.created_at, a.platform_user_id
            """
        let organization: UUID
        let ids: [UUID]

        func makeBindings() -> PostgresBindings { bindings(organization, ids) }
    }

    /// A person (without accounts or syncs) from the first columns of a row, in ``columns``' order.
    static func person(_ row: PostgresRandomAccessRow, _ organization: OrganizationID) throws -> Person {
        Person(
            id: PersonID(try row[0].decode(UUID.self)), organizationID: organization, email: try row[1].decode(String.self),
            displayName: try row[2].decode(String?.self), primaryConnectionID: try row[3].decode(UUID?.self).map(ConnectionID.init),
            primarySource: try row[4].decode(String?.self).flatMap(PrimaryResolution.Source.init(rawValue:)),
            primaryChosenBy: try row[5].decode(String?.self), primaryChosenAt: try row[6].decode(Date?.self),
            needsPrimaryChoice: try row[7].decode(Bool.self), allAccountsDeactivated: try row[8].decode(Bool.self),
            accounts: [], createdAt: try row[9].decode(Date.self), updatedAt: try row[10].decode(Date.self),
            lastPromptedAt: try row[11].decode(Date?.self))
    }
}
