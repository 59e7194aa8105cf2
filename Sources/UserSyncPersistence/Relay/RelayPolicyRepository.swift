import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// The relay policy of an organization and its list of restricted people (sql/0027).
public struct RelayPolicyRepository: Sendable {
    public init() {}

    /// The organization's policy; the defaults until an admin changes it.
    public func policy(_ organization: OrganizationID, on db: PostgresConnection, logger: Logger) async throws -> RelayPolicy {
        let rows = try await db.query(
            "SELECT files_allowed, stand_in_files_allowed FROM relay_policies WHERE org_id = \(organization.rawValue)", logger: logger)
        for try await (files, standIn) in rows.decode((Bool, Bool).self) { return RelayPolicy(filesAllowed: files, standInFilesAllowed: standIn) }
        return RelayPolicy()
    }

    public func save(_ organization: OrganizationID, _ policy: RelayPolicy, by actor: String, on db: PostgresConnection, logger: Logger) async throws
    {
        try await db.query(
            """
            INSERT INTO relay_policies (org_id, files_allowed, stand_in_files_allowed, updated_at, updated_by)
            VALUES (\(organization.rawValue), \(policy.filesAllowed), \(policy.standInFilesAllowed), now(), \(actor))
            ON CONFLICT (org_id) DO UPDATE SET files_allowed = excluded.files_allowed,
                stand_in_files_allowed = excluded.stand_in_files_allowed, updated_at = now(), updated_by = excluded.updated_by
            """, logger: logger)
    }

    public struct Restriction: Sendable, Equatable {
        public var person: PersonID
        public var createdAt: Date
        public var createdBy: String
    }

    /// Restricted people in id order, after `after`.
    public func restrictions(
        _ organization: OrganizationID, after: PersonID?, limit: Int, on db: PostgresConnection, logger: Logger
    ) async throws -> [Restriction] {
        let rows = try await db.query(
            """
            SELECT person_id, created_at, created_by FROM relay_restrictions
            WHERE org_id = \(organization.rawValue) AND (\(after?.rawValue)::uuid IS NULL OR person_id > \(after?.rawValue))
            ORDER BY person_id LIMIT \(limit)
            """, logger: logger)
        var found: [Restriction] = []
        for try await (person, at, by) in rows.decode((UUID, Date, String).self) {
            found.append(Restriction(person: .init(person), createdAt: at, createdBy: by))
        }
        return found
    }

    /// Restricts `person`; true when they were not restricted before.
    public func restrict(_ organization: OrganizationID, _ person: PersonID, by actor: String, on db: PostgresConnection, logger: Logger) async throws
        -> Bool
    {
        let rows = try await db.query(
            """
            INSERT INTO relay_restrictions (org_id, person_id, created_by) VALUES (\(organization.rawValue), \(person.rawValue), \(actor))
            ON CONFLICT DO NOTHING RETURNING person_id
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    /// Lifts `person`'s restriction; true when there was one.
    public func lift(_ organization: OrganizationID, _ person: PersonID, on db: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await db.query(
            "DELETE FROM relay_restrictions WHERE org_id = \(organization.rawValue) AND person_id = \(person.rawValue) RETURNING person_id",
            logger: logger)
        return try await rows.collect().count == 1
    }

    /// The policy, and which of `people` are restricted, in one read: what every relayed
    /// message asks.
    public func policy(
        _ organization: OrganizationID, restrictedAmong people: [PersonID], on db: PostgresConnection, logger: Logger
    ) async throws -> (policy: RelayPolicy, restricted: Set<PersonID>) {
        let statement = PolicyAndRestrictedStatement(organization: organization.rawValue, people: people.map(\.rawValue))
        for try await (files, standIn, restricted) in try await db.execute(statement, logger: logger).decode((Bool?, Bool?, [UUID]).self) {
            // No row of its own: the defaults.
            let policy = if let files, let standIn { RelayPolicy(filesAllowed: files, standInFilesAllowed: standIn) } else { RelayPolicy() }
            return (policy, Set(restricted.map(PersonID.init)))
        }
        return (RelayPolicy(), [])
    }

    struct PolicyAndRestrictedStatement: HotStatement {
        static let sql = """
            SELECT p.files_allowed, p.stand_in_files_allowed,
                   array(SELECT r.person_id FROM relay_restrictions r WHERE r.org_id = $1::uuid AND r.person_id = ANY($2::uuid[]))
            FROM (SELECT) AS one LEFT JOIN relay_policies p ON p.org_id = $1::uuid
            """
        let organization: UUID
        let people: [UUID]

        func makeBindings() -> PostgresBindings { bindings(organization, people) }
    }
}
