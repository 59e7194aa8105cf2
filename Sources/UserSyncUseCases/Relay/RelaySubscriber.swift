import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncSecrets

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
    let subscriptions = RelaySubscriptionRepository()

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

    /// The subscription of one linked person's own DMs (Webex webhook, Teams Graph subscription),
    /// queued when they link their account and for everyone linked whenever the connection's own
    /// subscription is made; a lapsing one's job stays queued for its next renewal.
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
                webex.webhookSecret = randomSecret()
                credentials = .webex(webex)
                let resealed = try access.seal(credentials, organization: organization, connection: connection.id)
                guard try await connections.replaceCredentials(organization, connection.id, resealed, previous: sealed, on: db, logger: logger)
                else { throw RetryLater(at: settings.now(), "the credentials changed meanwhile") }
            }
            return (connection, credentials)
        }
        guard let credentials else { return .succeeded }
        let relay = access.connector(credentials, endpoints: connection.endpoints, key: connection.id, logger: logger)
        do {
            if let sync = payload.sync {
                return try await keep(sync, of: connection, credentials, relay: relay, organization: organization, logger: logger)
            }
            if case .webex(let webex) = credentials, let secret = webex.webhookSecret {
                try await relay.subscribeToEvents(url: Self.url(for: connection, settings: settings), secret: secret)
            }
            if relay.hearsLinkedAccountsBySubscription { try await subscribeLinked(connection.id, organization: organization, logger: logger) }
            return .succeeded
        } catch let error as PlatformFailure {
            // A rate limit waits its time without spending an attempt; anything else is retried.
            guard let until = error.retryAt else { throw error }
            return .snooze(until: until, reason: error.description)
        }
    }

    /// Where a connection's events, and its linked people's, are sent: Webex webhooks to the
    /// connection's own URL, Graph's chat notifications to the organization's Graph URL.
    static func url(for connection: PlatformConnection, settings: SyncSettings) -> String {
        guard connection.platform == .teams else {
            return RelayInbox.url(
                publicURL: settings.publicURL, platform: connection.platform, organization: connection.organizationID, connection: connection.id)
        }
        return RelayChatNotifications.url(publicURL: settings.publicURL, organization: connection.organizationID)
    }

    /// Keeps the linked person's own subscription (their token): made when missing, renewed
    /// before it lapses (the job then waits for the next renewal), ended when the sync no longer
    /// holds their tokens (reset, declined). One that does not lapse (a Webex webhook) is made once.
    private func keep(
        _ sync: SyncID, of connection: PlatformConnection, _ credentials: ConnectionCredentials, relay: any PlatformConnector & RelayConnector,
        organization: OrganizationID, logger: Logger
    ) async throws -> JobOutcome {
        let (tokens, subscription) = try await database.withTenant(organization, logger: logger) { db in
            guard let sealed = try await syncs.tokens(organization, sync, on: db, logger: logger) else {
                // Without the person's token the subscription cannot be ended upstream; it lapses.
                try await subscriptions.delete(organization, sync: sync, on: db, logger: logger)
                return (SyncRepository.SealedTokens?.none, RelaySubscriptionRepository.Held?.none)
            }
            return (sealed, try await subscriptions.get(organization, sync: sync, on: db, logger: logger))
        }
        guard let sealed = tokens else { return .succeeded }
        // One made on another connection (the sync moved) is not renewed here: a new one is made.
        let held = subscription.flatMap { $0.connection == connection.id ? $0 : nil }
        let now = settings.now(), margin = settings.relay.subscriptionRenewalMargin.seconds
        if let held, held.expiresAt.addingTimeInterval(-margin) > now {
            return .snooze(until: held.expiresAt.addingTimeInterval(-margin), reason: "renews the subscription before it lapses")
        }
        guard
            let tokens = try await LinkedTokens(database: database, access: access, settings: settings).usable(
                sync, sealed, connector: relay, organization: organization, logger: logger)
        else { throw RetryLater(at: now.addingTimeInterval(300), "the person's tokens could not be refreshed") }
        // A Webex webhook is signed with the connection's secret; a Graph subscription's client state is its own.
        var secret = randomSecret()
        if case .webex(let webex) = credentials, let shared = webex.webhookSecret { secret = shared }
        let renewing = held.map { RelaySubscription(id: $0.subscriptionID, expiresAt: $0.expiresAt) }
        guard
            let made = try await relay.subscribeToEvents(
                url: Self.url(for: connection, settings: settings), secret: secret, of: tokens, renewing: renewing)
        else { return .succeeded }
        try await database.withTenant(organization, logger: logger) { db in
            if made.id == renewing?.id {
                try await subscriptions.renewed(organization, sync: sync, expiresAt: made.expiresAt, on: db, logger: logger)
            } else {
                try await subscriptions.save(
                    organization, sync: sync, connection: connection.id, subscriptionID: made.id, clientStateHash: sha256(secret),
                    expiresAt: made.expiresAt, on: db, logger: logger)
            }
        }
        return .snooze(until: made.expiresAt.addingTimeInterval(-margin), reason: "renews the subscription before it lapses")
    }

    /// Queues the subscription of everyone linked on the connection.
    private func subscribeLinked(_ connection: ConnectionID, organization: OrganizationID, logger: Logger) async throws {
        try await database.withTenant(organization, logger: logger) { db in
            let jobs = try await syncs.linkedWithTokens(organization, connection: connection, on: db, logger: logger).map {
                try Self.job(connection, linkedBy: $0)
            }
            _ = try await JobQueue.enqueue(jobs, organization: organization, on: db, logger: logger)
        }
    }
}

public struct RelaySubscribePayload: Codable, Sendable {
    public var connection: ConnectionID
    /// One linked person's subscription; nil for the connection's own.
    public var sync: SyncID?
}
