import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The Connect Center: connecting platforms (credentials verified with a real call before anything
/// is stored), rotating credentials, disconnecting, checking health, choosing teams and asking for
/// imports. Shared by the HTTP API and tests.
public struct ConnectCenter: Sendable {
    let database: Database
    let access: ConnectorAccess
    let health: ConnectionHealthRecorder
    let connections = ConnectionRepository()
    let teams = TeamRepository()
    let runs = ImportRunRepository()
    let writer = AccountImportWriter()
    let matcher = PeopleMatcher()
    let audit = AuditLogRepository()
    let now: @Sendable () -> Date

    public init(database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.access = access
        self.health = health
        self.now = now
    }

    static let noTeamsMessage = "Select at least one team of this connection before importing: only the members of selected teams are imported."

    /// What an admin gives to connect a platform.
    public struct NewConnection: Sendable {
        public var displayName: String?
        public var credentials: ConnectionCredentials
        public var apiBaseURL: String?
        public var authBaseURL: String?

        public init(displayName: String?, credentials: ConnectionCredentials, apiBaseURL: String?, authBaseURL: String?) {
            self.displayName = displayName
            self.credentials = credentials
            self.apiBaseURL = apiBaseURL
            self.authBaseURL = authBaseURL
        }
    }

    /// Verifies the credentials with the platform, then stores the connection with them sealed.
    /// Bad credentials throw the classified `PlatformFailure` and store nothing.
    public func connect(
        _ request: NewConnection, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> PlatformConnection {
        let platform = request.credentials.platform
        let displayName = try request.displayName.map { try Organization.validateName($0, field: "display_name") }
        let endpoints = try await endpoints(platform, api: request.apiBaseURL, auth: request.authBaseURL)
        let id = ConnectionID.random()
        let identity = try await access.connector(request.credentials, endpoints: endpoints, key: id, logger: logger).verifyCredentials()
        let time = now()
        let connection = PlatformConnection(
            id: id, organizationID: organization, platform: platform,
            displayName: displayName ?? "\(platform.displayName) – \(identity.workspaceName ?? identity.workspaceID)",
            workspaceID: identity.workspaceID, workspaceName: identity.workspaceName, apiBaseURL: endpoints.api,
            authBaseURL: endpoints.auth, health: .connected, healthCause: nil, healthMessage: nil, healthChangedAt: time,
            lastVerifiedAt: time, createdAt: time, updatedAt: time, disconnectedAt: nil)
        let sealed = try access.seal(request.credentials, organization: organization, connection: id)
        try await database.withTenant(organization, logger: logger) { db in
            try await connections.insert(connection, credentials: sealed, on: db, logger: logger)
            try await JobQueue.enqueue(RelaySubscriber.job(id), organization: organization, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "connection.created", targetType: "connection", targetID: id.description,
                    details: [
                        "platform": platform.rawValue, "workspace_id": identity.workspaceID, "display_name": connection.displayName,
                    ]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
        }
        return connection
    }

    /// The endpoints a connection will call, each checked against the operator's outbound policy
    /// (the platform's defaults too: an operator may allow only a sovereign cloud).
    private func endpoints(_ platform: Platform, api: String?, auth: String?) async throws -> PlatformEndpoints {
        let production = PlatformEndpoints.production(platform)
        return PlatformEndpoints(
            api: try await access.validateURL(api ?? production.api, field: "api_base_url", platform: platform),
            auth: try await access.validateURL(auth ?? production.auth, field: "auth_base_url", platform: platform))
    }

    /// A connection with what the Connect Center shows beside it.
    public struct Overview: Sendable {
        public var connection: PlatformConnection
        public var latestImport: ImportRun?
        public var stats: ConnectionRepository.Stats
    }

    public func list(_ organization: OrganizationID, includeDisconnected: Bool, logger: Logger) async throws -> [Overview] {
        try await database.withTenant(organization, logger: logger) { db in
            let all = try await connections.list(organization, includeDisconnected: includeDisconnected, on: db, logger: logger)
            return try await overviews(all, organization: organization, on: db, logger: logger)
        }
    }

    public func overview(_ organization: OrganizationID, _ id: ConnectionID, logger: Logger) async throws -> Overview {
        try await database.withTenant(organization, logger: logger) { db in
            let connection = try await connections.get(organization, id, on: db, logger: logger)
            return try await overviews([connection], organization: organization, on: db, logger: logger)[0]
        }
    }

    private func overviews(
        _ all: [PlatformConnection], organization: OrganizationID, on db: PostgresConnection, logger: Logger
    ) async throws -> [Overview] {
        let ids = all.map(\.id)
        let latest = try await runs.latest(organization, connections: ids, on: db, logger: logger)
        let stats = try await connections.stats(organization, ids, on: db, logger: logger)
        return all.map { Overview(connection: $0, latestImport: latest[$0.id], stats: stats[$0.id] ?? .init()) }
    }

    /// What an admin may change. Credentials and base URLs are verified with the platform first,
    /// and must still reach the same workspace; verified credentials reconnect a disconnected or
    /// broken connection.
    public struct Change: Sendable {
        public var displayName: String?
        public var credentials: ConnectionCredentials?
        public var apiBaseURL: String?
        public var authBaseURL: String?

        public init(displayName: String? = nil, credentials: ConnectionCredentials? = nil, apiBaseURL: String? = nil, authBaseURL: String? = nil) {
            self.displayName = displayName
            self.credentials = credentials
            self.apiBaseURL = apiBaseURL
            self.authBaseURL = authBaseURL
        }
    }

    public func update(
        _ id: ConnectionID, _ change: Change, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> PlatformConnection {
        var connection = try await overview(organization, id, logger: logger).connection
        if let name = change.displayName { connection.displayName = try Organization.validateName(name, field: "display_name") }
        if let credentials = change.credentials, credentials.platform != connection.platform {
            throw DomainError.invalid(
                "credentials", "wrong_platform",
                "This is a \(connection.platform.rawValue) connection; send \(connection.platform.rawValue) credentials.")
        }
        let reverify = change.credentials != nil || change.apiBaseURL != nil || change.authBaseURL != nil
        var sealed: ConnectionRepository.SealedCredentials?
        if reverify {
            let endpoints = try await endpoints(
                connection.platform, api: change.apiBaseURL ?? connection.apiBaseURL, auth: change.authBaseURL ?? connection.authBaseURL)
            var credentials: ConnectionCredentials
            if let given = change.credentials {
                credentials = given
                // The Webex webhooks stay registered with the secret UserSync made: keep it.
                if case .webex(var webex) = given, webex.webhookSecret == nil, !connection.isDisconnected {
                    let stored = try await database.withTenant(organization, logger: logger) { db in
                        try await connections.credentials(organization, id, on: db, logger: logger)
                    }
                    if case .webex(let previous) = try access.open(stored, organization: organization, connection: id) {
                        webex.webhookSecret = previous.webhookSecret
                        credentials = .webex(webex)
                    }
                }
            } else {
                guard !connection.isDisconnected else {
                    throw DomainError.conflict(
                        code: "credentials_required", message: "A disconnected connection holds no credentials: send them to reconnect it.")
                }
                let stored = try await database.withTenant(organization, logger: logger) { db in
                    try await connections.credentials(organization, id, on: db, logger: logger)
                }
                credentials = try access.open(stored, organization: organization, connection: id)
            }
            let identity = try await access.connector(credentials, endpoints: endpoints, key: id, logger: logger).verifyCredentials()
            guard identity.workspaceID == connection.workspaceID else {
                throw DomainError.invalid(
                    "credentials", "workspace_mismatch",
                    "These credentials belong to \(identity.workspaceName ?? identity.workspaceID), not to this connection's workspace \(connection.workspaceName ?? connection.workspaceID). Connect it as a new connection instead."
                )
            }
            sealed = try access.seal(credentials, organization: organization, connection: id)
            connection.apiBaseURL = endpoints.api
            connection.authBaseURL = endpoints.auth
            connection.workspaceName = identity.workspaceName ?? connection.workspaceName
            connection.lastVerifiedAt = now()
            connection.health = .connected
            connection.healthCause = nil
            connection.healthMessage = nil
            connection.disconnectedAt = nil
        }
        let updated = connection
        // Also heard from the database; forgotten here first, so the change holds from the answer on.
        defer { access.forget(id) }
        return try await database.withTenant(organization, logger: logger) { db in
            if reverify { try await PeopleMatcher.lockPeople(organization, on: db, logger: logger) }
            let stored = try await connections.update(updated, credentials: sealed, on: db, logger: logger)
            var details = ["display_name": stored.displayName]
            if reverify { details["credentials"] = change.credentials == nil ? "re-verified" : "rotated" }
            try await audit.append(
                .init(action: "connection.updated", targetType: "connection", targetID: id.description, details: details),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            if reverify {
                _ = try await matcher.resolvePrimaries(organization, connection: id, on: db, logger: logger)
                try await JobQueue.enqueue(RelaySubscriber.job(id), organization: organization, on: db, logger: logger)
            }
            return stored
        }
    }

    /// Disconnects: credentials are erased, the connection's accounts stay (marked inactive, reason
    /// `connection_disconnected`), an active import fails, and people are re-resolved without it.
    /// Nothing is deleted; reconnecting is an update with fresh credentials.
    public func disconnect(
        _ id: ConnectionID, organization: OrganizationID, actor: AuditActor, requestID: String?, logger: Logger
    ) async throws -> PlatformConnection {
        defer { access.forget(id) }
        return try await database.withTenantRetryingConflicts(organization, logger: logger) { db in
            let connection = try await connections.disconnect(organization, id, on: db, logger: logger)
            try await PeopleMatcher.lockPeople(organization, on: db, logger: logger)
            let deactivated = try await writer.deactivateAll(organization, connection: id, on: db, logger: logger)
            if let active = try await runs.active(organization, connection: id, on: db, logger: logger) {
                try await runs.finish(
                    organization, active.id, state: .failed, cause: "connection_disconnected",
                    message: "The connection was disconnected while the import was waiting or running.", on: db, logger: logger)
            }
            _ = try await matcher.resolvePrimaries(organization, connection: id, on: db, logger: logger)
            let affected = try await SyncRepository().ids(organization, connection: id, excluding: .failed, on: db, logger: logger)
            try await SyncRecorder().record(
                organization, affected.map { .init(sync: $0, outcome: .connectionDisconnected(secondary: connection.platform)) },
                actor: actor, requestID: requestID, on: db, logger: logger)
            try await audit.append(
                .init(
                    action: "connection.disconnected", targetType: "connection", targetID: id.description,
                    details: ["accounts_deactivated": "\(deactivated)"]),
                organization: organization, actor: actor, requestID: requestID, on: db, logger: logger)
            return connection
        }
    }

    /// Checks the stored credentials now: the connection becomes `connected` or `needs_attention`.
    public func verify(_ id: ConnectionID, organization: OrganizationID, actor: AuditActor, logger: Logger) async throws -> Overview {
        let current = try await overview(organization, id, logger: logger).connection
        guard !current.isDisconnected else {
            throw DomainError.conflict(
                code: "connection_disconnected", message: "This connection is disconnected: update it with credentials to reconnect.")
        }
        let connector = try await access.connector(for: current, database: database, logger: logger)
        do {
            _ = try await connector.verifyCredentials()
        } catch {
            await health.record(error, connection: id, organization: organization, logger: logger)
            guard error.fixer == .admin else { throw error }
            return try await overview(organization, id, logger: logger)
        }
        try await health.recordSuccess(connection: id, organization: organization, actor: actor, logger: logger)
        return try await overview(organization, id, logger: logger)
    }

    /// Runs a platform call for a stored connection, recording its effect on the connection's health.
    func calling<T: Sendable>(
        _ connection: PlatformConnection, logger: Logger, _ body: (any PlatformConnector) async throws(PlatformFailure) -> T
    ) async throws -> T {
        let connector = try await access.connector(for: connection, database: database, logger: logger)
        do {
            return try await body(connector)
        } catch {
            await health.record(error, connection: connection.id, organization: connection.organizationID, logger: logger)
            throw error
        }
    }
}
