import Foundation
import Logging
import PostgresNIO
import UserSyncDomain

/// Platform connections. Every method runs on a connection already scoped to `organization`.
/// Credentials are stored as the sealed envelope the caller made; this type never sees them in
/// the clear.
public struct ConnectionRepository: Sendable {
    public init() {}

    /// A connection's sealed credentials: the envelope and the id of the key that sealed it.
    public struct SealedCredentials: Sendable {
        public var keyID: String
        public var combined: Data

        public init(keyID: String, combined: Data) {
            self.keyID = keyID
            self.combined = combined
        }

        /// Disconnected connections keep no credentials.
        public var isErased: Bool { combined.isEmpty }
    }

    static let columns = """
        id, org_id, platform, display_name, workspace_id, workspace_name, api_base_url, auth_base_url, health,
        health_cause, health_message, health_changed_at, last_verified_at, created_at, updated_at, disconnected_at
        """

    public func insert(
        _ connection: PlatformConnection, credentials: SealedCredentials, on db: PostgresConnection, logger: Logger
    ) async throws {
        do {
            try await db.query(
                """
                INSERT INTO platform_connections (org_id, id, platform, display_name, workspace_id, workspace_name, credentials,
                    credentials_key_id, api_base_url, auth_base_url, health, health_changed_at, last_verified_at, created_at, updated_at)
                VALUES (\(connection.organizationID.rawValue), \(connection.id.rawValue), \(connection.platform.rawValue),
                        \(connection.displayName), \(connection.workspaceID), \(connection.workspaceName), \(credentials.combined),
                        \(credentials.keyID), \(connection.apiBaseURL), \(connection.authBaseURL), \(connection.health.rawValue),
                        \(connection.healthChangedAt), \(connection.lastVerifiedAt), \(connection.createdAt), \(connection.updatedAt))
                """, logger: logger)
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw Self.alreadyConnected(connection)
        }
    }

    static func alreadyConnected(_ connection: PlatformConnection) -> DomainError {
        .conflict(
            code: "workspace_already_connected",
            message:
                "\(connection.platform.displayName) \(connection.workspaceName ?? connection.workspaceID) is already connected to this organization.")
    }

    public func list(
        _ organization: OrganizationID, includeDisconnected: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> [PlatformConnection] {
        try await Self.decode(
            try await db.execute(
                ListStatement(organization: organization.rawValue, includeDisconnected: includeDisconnected), logger: logger))
    }

    /// Every people page and the console's pages list the connections.
    struct ListStatement: HotStatement {
        static let sql = """
            SELECT \(ConnectionRepository.columns) FROM platform_connections
            WHERE org_id = $1 AND ($2 OR disconnected_at IS NULL)
            ORDER BY created_at, id
            """
        let organization: UUID
        let includeDisconnected: Bool

        func makeBindings() -> PostgresBindings { bindings(organization, includeDisconnected) }
    }

    /// The connection, locked for the rest of the transaction when `forUpdate` against other
    /// writers of it and the import's `FOR SHARE`, not against the key checks of rows that refer
    /// to it (a transaction holding the people lock may be inserting those: waiting for it while
    /// it waits for the people lock would be a deadlock).
    public func get(
        _ organization: OrganizationID, _ id: ConnectionID, forUpdate: Bool = false, on db: PostgresConnection, logger: Logger
    ) async throws -> PlatformConnection {
        let rows = try await db.query(
            """
            SELECT \(unescaped: Self.columns) FROM platform_connections
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            \(unescaped: forUpdate ? "FOR NO KEY UPDATE" : "")
            """, logger: logger)
        guard let connection = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "connection") }
        return connection
    }

    /// The connection with its sealed credentials, in one read: what building its connector
    /// needs (the relay builds three for every message).
    public func getSealed(
        _ organization: OrganizationID, _ id: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> (PlatformConnection, SealedCredentials) {
        for try await row in try await db.execute(GetSealedStatement(organization: organization.rawValue, id: id.rawValue), logger: logger) {
            let r = row.makeRandomAccess()
            return (try Self.connection(r), SealedCredentials(keyID: try r[16].decode(String.self), combined: try r[17].decode(Data.self)))
        }
        throw DomainError.notFound(resource: "connection")
    }

    struct GetSealedStatement: HotStatement {
        static let sql = """
            SELECT \(ConnectionRepository.columns), credentials_key_id, credentials FROM platform_connections WHERE org_id = $1 AND id = $2
            """
        let organization: UUID
        let id: UUID

        func makeBindings() -> PostgresBindings { bindings(organization, id) }
    }

    public func credentials(
        _ organization: OrganizationID, _ id: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> SealedCredentials {
        let rows = try await db.query(
            "SELECT credentials_key_id, credentials FROM platform_connections WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)",
            logger: logger)
        for try await (keyID, combined) in rows.decode((String, Data).self) {
            return SealedCredentials(keyID: keyID, combined: combined)
        }
        throw DomainError.notFound(resource: "connection")
    }

    /// Replaces the sealed credentials, unless they changed since `previous` was read (an admin's
    /// rotation wins). Returns whether they were replaced.
    public func replaceCredentials(
        _ organization: OrganizationID, _ id: ConnectionID, _ credentials: SealedCredentials, previous: SealedCredentials,
        on db: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await db.query(
            """
            UPDATE platform_connections SET credentials = \(credentials.combined), credentials_key_id = \(credentials.keyID)
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND credentials = \(previous.combined) RETURNING id
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    /// Writes what an admin may change (name, base URLs, re-verified credentials). A connection
    /// whose credentials were just verified is connected again, also after a disconnect.
    public func update(
        _ connection: PlatformConnection, credentials: SealedCredentials?, on db: PostgresConnection, logger: Logger
    ) async throws -> PlatformConnection {
        // The unique index's refusal can arrive with the query or while its rows are read.
        let updated: PlatformConnection?
        do {
            let rows = try await db.query(
                """
                UPDATE platform_connections SET
                    display_name = \(connection.displayName), workspace_name = \(connection.workspaceName),
                    api_base_url = \(connection.apiBaseURL), auth_base_url = \(connection.authBaseURL),
                    credentials = coalesce(\(credentials?.combined), credentials),
                    credentials_key_id = coalesce(\(credentials?.keyID), credentials_key_id),
                    last_verified_at = \(connection.lastVerifiedAt),
                    health = \(connection.health.rawValue), health_cause = \(connection.healthCause),
                    health_message = \(connection.healthMessage),
                    health_changed_at = CASE WHEN health IS DISTINCT FROM \(connection.health.rawValue)
                                             OR health_cause IS DISTINCT FROM \(connection.healthCause)
                                             THEN now() ELSE health_changed_at END,
                    disconnected_at = \(connection.disconnectedAt)
                WHERE org_id = \(connection.organizationID.rawValue) AND id = \(connection.id.rawValue)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            updated = try await Self.decode(rows).first
        } catch  where PostgresFailure.sqlState(error) == PostgresFailure.uniqueViolation {
            throw Self.alreadyConnected(connection)
        }
        guard let updated else { throw DomainError.notFound(resource: "connection") }
        return updated
    }

    /// Moves a live connection between `connected` and `needs_attention` (and notes a successful
    /// verification); a disconnected one stays as it is. Returns the connection when its health
    /// changed, nil otherwise.
    public func setHealth(
        _ organization: OrganizationID, _ id: ConnectionID, _ health: ConnectionHealth, cause: String?, message: String?,
        verified: Bool, on db: PostgresConnection, logger: Logger
    ) async throws -> PlatformConnection? {
        let current = try await get(organization, id, forUpdate: true, on: db, logger: logger)
        guard !current.isDisconnected else { return nil }
        let changed = current.health != health || current.healthCause != cause
        guard changed || verified else { return nil }
        let rows = try await db.query(
            """
            UPDATE platform_connections SET
                health = \(health.rawValue), health_cause = \(cause), health_message = \(message),
                health_changed_at = CASE WHEN \(changed) THEN now() ELSE health_changed_at END,
                last_verified_at = CASE WHEN \(verified) THEN now() ELSE last_verified_at END
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        let updated = try await Self.decode(rows).first
        return changed ? updated : nil
    }

    /// Disconnects: the connection stays (with its accounts and history) but holds no credentials.
    public func disconnect(
        _ organization: OrganizationID, _ id: ConnectionID, on db: PostgresConnection, logger: Logger
    ) async throws -> PlatformConnection {
        guard !(try await get(organization, id, forUpdate: true, on: db, logger: logger)).isDisconnected else {
            throw DomainError.conflict(code: "connection_disconnected", message: "This connection is already disconnected.")
        }
        let rows = try await db.query(
            """
            UPDATE platform_connections SET
                health = 'disconnected', health_cause = 'disconnected_by_admin',
                health_message = 'An admin disconnected this platform.', health_changed_at = now(),
                disconnected_at = now(), credentials = ''::bytea
            WHERE org_id = \(organization.rawValue) AND id = \(id.rawValue) AND disconnected_at IS NULL
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let connection = try await Self.decode(rows).first else { throw DomainError.notFound(resource: "connection") }
        return connection
    }

    /// What a connection holds, for the Connect Center's overview.
    public struct Stats: Sendable, Equatable {
        public var accounts = 0
        public var activeAccounts = 0
        public var teams = 0
        public var selectedTeams = 0

        public init() {}
    }

    public func stats(
        _ organization: OrganizationID, _ ids: [ConnectionID], on db: PostgresConnection, logger: Logger
    ) async throws -> [ConnectionID: Stats] {
        let rows = try await db.query(
            """
            SELECT c.id,
                   (SELECT count(*) FROM platform_accounts a WHERE a.org_id = c.org_id AND a.connection_id = c.id)::integer,
                   (SELECT count(*) FROM platform_accounts a WHERE a.org_id = c.org_id AND a.connection_id = c.id AND a.active)::integer,
                   (SELECT count(*) FROM teams t WHERE t.org_id = c.org_id AND t.connection_id = c.id)::integer,
                   (SELECT count(*) FROM teams t WHERE t.org_id = c.org_id AND t.connection_id = c.id AND t.selected)::integer
            FROM platform_connections c
            WHERE c.org_id = \(organization.rawValue) AND c.id = ANY(\(ids.map(\.rawValue))::uuid[])
            """, logger: logger)
        var result: [ConnectionID: Stats] = [:]
        for try await (id, accounts, active, teams, selected) in rows.decode((UUID, Int32, Int32, Int32, Int32).self) {
            var stats = Stats()
            stats.accounts = Int(accounts)
            stats.activeAccounts = Int(active)
            stats.teams = Int(teams)
            stats.selectedTeams = Int(selected)
            result[ConnectionID(id)] = stats
        }
        return result
    }

    static func decode<Rows: AsyncSequence>(_ rows: Rows) async throws -> [PlatformConnection] where Rows.Element == PostgresRow {
        var result: [PlatformConnection] = []
        for try await row in rows { result.append(try connection(row.makeRandomAccess())) }
        return result
    }

    /// A connection from the first cells of a row, in ``columns``' order.
    static func connection(_ r: PostgresRandomAccessRow) throws -> PlatformConnection {
        PlatformConnection(
            id: ConnectionID(try r[0].decode(UUID.self)), organizationID: OrganizationID(try r[1].decode(UUID.self)),
            platform: Platform(rawValue: try r[2].decode(String.self)) ?? .slack, displayName: try r[3].decode(String.self),
            workspaceID: try r[4].decode(String.self), workspaceName: try r[5].decode(String?.self), apiBaseURL: try r[6].decode(String.self),
            authBaseURL: try r[7].decode(String?.self), health: ConnectionHealth(rawValue: try r[8].decode(String.self)) ?? .needsAttention,
            healthCause: try r[9].decode(String?.self), healthMessage: try r[10].decode(String?.self),
            healthChangedAt: try r[11].decode(Date.self), lastVerifiedAt: try r[12].decode(Date?.self), createdAt: try r[13].decode(Date.self),
            updatedAt: try r[14].decode(Date.self), disconnectedAt: try r[15].decode(Date?.self))
    }
}
