import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence

/// The `relay.subscribe` job, queued whenever a connection is made or its credentials change:
/// makes sure the platform sends the connection's message events to the relay. Webex is the one
/// platform where UserSync registers them itself (`POST /webhooks`, with a secret it makes and
/// keeps sealed with the credentials); the others' event URLs are set in the app's settings.
public struct RelaySubscriber: Sendable {
    let database: Database
    let access: ConnectorAccess
    let settings: SyncSettings
    let connections = ConnectionRepository()

    public init(database: Database, access: ConnectorAccess, settings: SyncSettings) {
        self.database = database
        self.access = access
        self.settings = settings
    }

    static func job(_ connection: ConnectionID) throws -> NewJob {
        try NewJob(
            kind: RelayJobs.subscribe, payload: RelaySubscribePayload(connection: connection), maxAttempts: 8,
            dedupeKey: "relay-subscribe:\(connection)")
    }

    func run(_ payload: RelaySubscribePayload, context: JobContext) async throws -> JobOutcome {
        let organization = context.organizationID, logger = context.logger
        let (connection, credentials) = try await database.withTenant(organization, logger: logger) { db in
            let connection = try await connections.get(organization, payload.connection, on: db, logger: logger)
            guard !connection.isDisconnected else { return (connection, ConnectionCredentials?.none) }
            let sealed = try await connections.credentials(organization, connection.id, on: db, logger: logger)
            var credentials = try access.open(sealed, organization: organization, connection: connection.id)
            // Webex signs with a secret UserSync makes: made once, kept with the credentials.
            if case .webex(var webex) = credentials, webex.webhookSecret == nil {
                webex.webhookSecret = Self.secret()
                credentials = .webex(webex)
                let resealed = try access.seal(credentials, organization: organization, connection: connection.id)
                guard try await connections.replaceCredentials(organization, connection.id, resealed, previous: sealed, on: db, logger: logger)
                else { throw RetryLater(at: settings.now(), "the credentials changed meanwhile") }
            }
            return (connection, credentials)
        }
        guard let credentials, case .webex(let webex) = credentials, let secret = webex.webhookSecret else { return .succeeded }
        let relay = access.connector(credentials, endpoints: connection.endpoints, key: connection.id, logger: logger)
        let url = RelayInbox.url(publicURL: settings.publicURL, platform: connection.platform, organization: organization, connection: connection.id)
        do {
            try await relay.subscribeToEvents(url: url, secret: secret)
            return .succeeded
        } catch {
            // A rate limit waits its time without spending an attempt; anything else is retried.
            guard let until = error.retryAt else { throw error }
            return .snooze(until: until, reason: error.description)
        }
    }

    /// 32 random bytes, hex.
    static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next()) }.joined()
    }
}

public struct RelaySubscribePayload: Codable, Sendable {
    public var connection: ConnectionID
}
