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
    let syncs = SyncRepository()

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

    /// The subscription of one linked person's own DMs (Webex), queued when they link their
    /// account and for everyone linked whenever the connection's own subscription is made.
    static func job(_ connection: ConnectionID, linkedBy sync: SyncID) throws -> NewJob {
        try NewJob(
            kind: RelayJobs.subscribe, payload: RelaySubscribePayload(connection: connection, sync: sync), maxAttempts: 8,
            dedupeKey: "relay-subscribe:\(connection):\(sync)")
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
            if let sync = payload.sync {
                try await subscribe(sync, url: url, secret: secret, relay: relay, organization: organization, logger: logger)
            } else {
                try await relay.subscribeToEvents(url: url, secret: secret)
                if relay.hearsLinkedAccountsBySubscription { try await subscribeLinked(connection.id, organization: organization, logger: logger) }
            }
            return .succeeded
        } catch let error as PlatformFailure {
            // A rate limit waits its time without spending an attempt; anything else is retried.
            guard let until = error.retryAt else { throw error }
            return .snooze(until: until, reason: error.description)
        }
    }

    /// Registers the linked person's own subscription with their token; a sync that no longer
    /// holds tokens (reset, declined) needs none.
    private func subscribe(
        _ sync: SyncID, url: String, secret: String, relay: any PlatformConnector & RelayConnector, organization: OrganizationID,
        logger: Logger
    ) async throws {
        guard
            let sealed = try await database.withTenant(
                organization, logger: logger, { db in try await syncs.tokens(organization, sync, on: db, logger: logger) })
        else { return }
        guard
            let tokens = try await LinkedTokens(database: database, access: access, settings: settings).usable(
                sync, sealed, connector: relay, organization: organization, logger: logger)
        else { throw RetryLater(at: settings.now().addingTimeInterval(300), "the person's tokens could not be refreshed") }
        try await relay.subscribeToEvents(url: url, secret: secret, of: tokens)
    }

    /// Queues the subscription of everyone linked on the connection.
    private func subscribeLinked(_ connection: ConnectionID, organization: OrganizationID, logger: Logger) async throws {
        try await database.withTenant(organization, logger: logger) { db in
            for sync in try await syncs.linkedWithTokens(organization, connection: connection, on: db, logger: logger) {
                try await JobQueue.enqueue(try Self.job(connection, linkedBy: sync), organization: organization, on: db, logger: logger)
            }
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
    /// One linked person's subscription; nil for the connection's own.
    public var sync: SyncID?
}
