import Foundation
import Logging
import PostgresNIO
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// Turns stored connections into connectors: seals credentials on the way in, opens them only to
/// build a connector, and never lets them out otherwise.
public struct ConnectorAccess: Sendable {
    public let factory: ConnectorFactory
    let secrets: SecretBox
    /// Connections read lately, for the relay's reads (nil: always read from the database).
    let cache: ConnectionCache?

    public init(factory: ConnectorFactory, secrets: SecretBox, cache: ConnectionCache? = nil) {
        self.factory = factory
        self.secrets = secrets
        self.cache = cache
    }

    static func context(_ organization: OrganizationID, _ connection: ConnectionID) -> String {
        SecretBox.context(organization, "connection:\(connection)")
    }

    func seal(
        _ credentials: ConnectionCredentials, organization: OrganizationID, connection: ConnectionID
    ) throws -> ConnectionRepository.SealedCredentials {
        let sealed = try secrets.seal(JSONEncoder().encode(credentials), context: Self.context(organization, connection))
        return .init(keyID: sealed.keyID, combined: sealed.combined)
    }

    func open(
        _ sealed: ConnectionRepository.SealedCredentials, organization: OrganizationID, connection: ConnectionID
    ) throws -> ConnectionCredentials {
        guard !sealed.isErased else {
            throw DomainError.conflict(code: "connection_disconnected", message: "This connection is disconnected and holds no credentials.")
        }
        let data = try secrets.open(.init(keyID: sealed.keyID, combined: sealed.combined), context: Self.context(organization, connection))
        return try JSONDecoder().decode(ConnectionCredentials.self, from: data)
    }

    /// A platform's own cursor, sealed for a client: opaque, bound to the organization and
    /// connection, and tamper-proof, so a forged cursor is refused before any platform call.
    func sealCursor(_ cursor: String, organization: OrganizationID, connection: ConnectionID) throws -> String {
        let sealed = try secrets.seal(Data(cursor.utf8), context: SecretBox.context(organization, "cursor:\(connection)"))
        return Data((sealed.keyID + ".").utf8 + sealed.combined).base64URL
    }

    func openCursor(_ text: String, organization: OrganizationID, connection: ConnectionID) throws(DomainError) -> String {
        let refused = DomainError.badReference(code: "invalid_cursor", message: "'cursor' is not a cursor of this listing.")
        guard let data = Data(base64URL: text), let dot = data.firstIndex(of: UInt8(ascii: ".")),
            let keyID = String(data: data[..<dot], encoding: .utf8),
            let opened = try? secrets.open(
                .init(keyID: keyID, combined: Data(data[data.index(after: dot)...])),
                context: SecretBox.context(organization, "cursor:\(connection)")),
            let cursor = String(data: opened, encoding: .utf8)
        else { throw refused }
        return cursor
    }

    /// A connector for credentials that are not stored yet (verification before saving).
    func connector(
        _ credentials: ConnectionCredentials, endpoints: PlatformEndpoints, key: ConnectionID, logger: Logger
    ) -> any PlatformConnector & RelayConnector {
        factory.relayConnector(for: .init(key: key.description, credentials: credentials, endpoints: endpoints), logger: logger)
    }

    /// The connector of a stored connection, reading its sealed credentials in `database`.
    public func connector(
        for connection: PlatformConnection, database: Database, logger: Logger
    ) async throws -> any PlatformConnector & RelayConnector {
        try await database.withTenant(connection.organizationID, logger: logger) { db in
            try await self.connector(for: connection, on: db, logger: logger)
        }
    }

    /// The connector of a stored connection, reading its sealed credentials on `db`.
    func connector(for connection: PlatformConnection, on db: PostgresConnection, logger: Logger) async throws
        -> any PlatformConnector & RelayConnector
    {
        self.connector(
            try await credentials(of: connection, on: db, logger: logger), endpoints: connection.endpoints, key: connection.id, logger: logger)
    }

    /// A stored connection with its connector (nil when it is disconnected), as ``stored(_:_:now:on:logger:)`` reads it.
    func connection(
        _ organization: OrganizationID, _ id: ConnectionID, now: Date, on db: PostgresConnection, logger: Logger
    ) async throws -> (PlatformConnection, (any PlatformConnector & RelayConnector)?) {
        let (connection, credentials) = try await stored(organization, id, now: now, on: db, logger: logger)
        return (connection, credentials.map { self.connector($0, endpoints: connection.endpoints, key: id, logger: logger) })
    }

    /// A stored connection with its opened credentials (nil when it is disconnected): from the
    /// process's ``ConnectionCache`` while it holds the connection, else read in one statement on
    /// `db` (and kept there).
    func stored(
        _ organization: OrganizationID, _ id: ConnectionID, now: Date, on db: PostgresConnection, logger: Logger
    ) async throws -> (PlatformConnection, ConnectionCredentials?) {
        if let entry = cache?.lookup(organization, id, now: now) { return (entry.connection, entry.credentials) }
        let ticket = cache?.ticket
        let (connection, sealed) = try await ConnectionRepository().getSealed(organization, id, on: db, logger: logger)
        let credentials = connection.isDisconnected ? nil : try open(sealed, organization: organization, connection: id)
        if let cache, let ticket { cache.store(.init(connection: connection, credentials: credentials), ticket: ticket, now: now) }
        return (connection, credentials)
    }

    /// The event receiver of a stored connection of `platform`: from the process's cache while it
    /// holds the connection, else read (``stored(_:_:now:on:logger:)``) in a transaction of its
    /// own. A connection that is disconnected or of another platform is not found.
    func eventReceiver(
        _ organization: OrganizationID, _ id: ConnectionID, platform: Platform, now: Date, database: Database, logger: Logger
    ) async throws -> any PlatformEventReceiver {
        let (connection, credentials) =
            if let entry = cache?.lookup(organization, id, now: now) {
                (entry.connection, entry.credentials)
            } else {
                try await database.withTenant(organization, logger: logger) { db in
                    try await stored(organization, id, now: now, on: db, logger: logger)
                }
            }
        guard connection.platform == platform, let credentials else { throw DomainError.notFound(resource: "connection") }
        return factory.eventReceiver(for: .init(key: id.description, credentials: credentials, endpoints: connection.endpoints))
    }

    /// Drops what the process holds of a connection it just changed (the database's announcement
    /// of the change follows).
    func forget(_ id: ConnectionID) { cache?.changed(.connection(id)) }

    /// A stored connection's credentials, read on `db` and opened.
    func credentials(of connection: PlatformConnection, on db: PostgresConnection, logger: Logger) async throws -> ConnectionCredentials {
        let sealed = try await ConnectionRepository().credentials(connection.organizationID, connection.id, on: db, logger: logger)
        return try open(sealed, organization: connection.organizationID, connection: connection.id)
    }

    /// Checks a connection's base URL against the operator's outbound policy (allowed hosts,
    /// https, no internal addresses): a 422 naming the field otherwise.
    func validateURL(_ url: String, field: String, platform: Platform) async throws(DomainError) -> String {
        let text = url.trimmingCharacters(in: .whitespaces)
        if let refusal = await factory.settings.outbound.refusal(of: text, platform: platform) {
            throw .invalid(field, refusal.code, "'\(field)' \(refusal.message).")
        }
        return text
    }
}

extension PlatformConnection {
    /// Where the connection's platform lives.
    public var endpoints: PlatformEndpoints {
        let production = PlatformEndpoints.production(platform)
        return PlatformEndpoints(api: apiBaseURL, auth: authBaseURL ?? production.auth)
    }
}
