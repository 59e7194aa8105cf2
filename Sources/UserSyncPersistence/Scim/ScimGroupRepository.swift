import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// SCIM Groups in `directory_groups` (`source = 'scim'`), the groups Auto Sync policies follow
/// by id. Every method runs on a connection already scoped to `organization`. Membership is in
/// ``ScimGroupRepository+members``.
public struct ScimGroupRepository: Sendable {
    public init() {}

    /// Stores a new group without members. A displayName another group has (compared without
    /// case; Entra requires it unique) is a 409 `uniqueness`.
    public func insert(
        _ organization: OrganizationID, id: String, displayName: String, externalId: String?, on db: PostgresConnection, logger: Logger
    ) async throws -> ScimGroupRecord {
        let records = try await Self.refusingTakenName(displayName) {
            try await ScimGroupRecord.decode(
                db.query(
                    """
                    INSERT INTO directory_groups (org_id, source, group_id, display_name, idp_external_id)
                    VALUES (\(organization.rawValue), 'scim', \(id), \(displayName), \(externalId))
                    RETURNING \(unescaped: ScimGroupRecord.columns)
                    """, logger: logger))
        }
        return records[0]
    }

    public func get(_ organization: OrganizationID, id: String, on db: PostgresConnection, logger: Logger) async throws -> ScimGroupRecord? {
        try await ScimGroupRecord.decode(
            db.query(
                """
                SELECT \(unescaped: ScimGroupRecord.columns) FROM directory_groups
                WHERE org_id = \(organization.rawValue) AND source = 'scim' AND group_id = \(id)
                """, logger: logger)
        ).first
    }

    /// A group locked for a change, and the enabled Auto Sync policies that follow it.
    public struct Locked: Sendable {
        public var group: ScimGroupRecord
        public var policies: [AutoSyncPolicyID]
    }

    /// Sets the name (nil keeps it) and the external id (when `externalId` is non-nil; its
    /// inner nil clears it), raises the version, and locks the group until the transaction ends,
    /// so that every change to a group, its membership included, starts here and concurrent
    /// changes to one group take turns. The same statement reads the policies a membership
    /// change would ask to run. Nil when there is no such group.
    ///
    /// It stays a statement of its own, before the membership statements: those then take their
    /// snapshot after the lock, and see what the change that held it committed (a remove that
    /// waited for an add removes what the add inserted; an add that waited for a user's deletion
    /// finds the user gone).
    public func lock(
        _ organization: OrganizationID, id: String, displayName: String?, externalId: String??, on db: PostgresConnection, logger: Logger
    ) async throws -> Locked? {
        let statement = LockStatement(
            organization: organization.rawValue, group: id, displayName: displayName, setsExternalID: externalId != nil,
            externalID: externalId ?? nil)
        return try await Self.refusingTakenName(displayName ?? "") {
            for try await row in try await db.execute(statement, logger: logger) {
                let cells = row.makeRandomAccess()
                let policies = try cells[ScimGroupRecord.columnCount].decode([UUID].self).map(AutoSyncPolicyID.init)
                return Locked(group: try ScimGroupRecord(cells), policies: policies)
            }
            return nil
        }
    }

    /// A named statement: every PATCH of a group runs it (``HotStatement``).
    struct LockStatement: HotStatement {
        static let sql = """
            UPDATE directory_groups SET
                display_name = coalesce($3::text, display_name),
                idp_external_id = CASE WHEN $4 THEN $5::text ELSE idp_external_id END,
                version = version + 1, updated_at = now()
            WHERE org_id = $1 AND source = 'scim' AND group_id = $2
            RETURNING \(ScimGroupRecord.columns),
                ARRAY(SELECT id FROM auto_sync_policies
                      WHERE org_id = $1 AND group_source = 'scim' AND directory_group_id = $2 AND enabled ORDER BY id)
            """
        let organization: UUID
        let group: String
        let displayName: String?
        let setsExternalID: Bool
        let externalID: String?

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(organization)
            bindings.append(group)
            bindings.append(displayName)
            bindings.append(setsExternalID)
            bindings.append(externalID)
            return bindings
        }
    }

    /// Deletes the group and its membership. False when there is no such group.
    public func delete(_ organization: OrganizationID, id: String, on db: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await db.query(
            """
            DELETE FROM directory_groups WHERE org_id = \(organization.rawValue) AND source = 'scim' AND group_id = \(id) RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// Runs `write`, turning a clash on the unique displayName index into a SCIM 409. `write`
    /// reads the rows too: the violation arrives with them, not with the statement's description.
    static func refusingTakenName<Result>(_ displayName: String, _ write: () async throws -> Result) async throws -> Result {
        do {
            return try await write()
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw ScimError.uniqueness("A group with displayName \"\(displayName)\" already exists.")
        }
    }
}
