import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import Prometheus
import Testing
import UserSyncAPI
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting
import UserSyncUseCases

/// Metrics can be bootstrapped once per process; every test's app shares this registry.
let sharedMetrics: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    return registry
}()

let operatorToken = "operator-token-for-tests-0123456789abcdef"

struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    /// The problem's code, when the body is a problem.
    var code: String? { (try? decode(ProblemReply.self))?.code }

    /// The body as a typed response (snake_case keys, ISO 8601 dates).
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(text.utf8))
    }
}

/// One test's API: the real router over a database of its own, and, when asked for, a platform
/// simulator on a loopback port.
struct API: Sendable {
    let client: any TestClientProtocol
    let db: TestDatabase
    let platforms: SimulatedPlatforms?
    /// The server's memory of admitted keys, kept correct by a listener like `serve`'s.
    let credentials: CredentialCache
    /// The server's memory of platform connections (the relay's), kept correct the same way.
    let connections: ConnectionCache

    var simulator: PlatformSimulator { platforms!.simulator }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = operatorToken, json body: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Creates an organization and returns its slug and id.
    @discardableResult
    func createOrganization(_ slug: String) async throws -> (slug: String, id: String) {
        let reply = try await call(.post, "/v1/orgs", json: #"{"slug":"\#(slug)","name":"\#(slug) Inc"}"#)
        #expect(reply.status == .created, "\(reply.text)")
        struct Created: Decodable { let id: String }
        return (slug, try reply.decode(Created.self).id)
    }

    /// Enqueues a job for an organization directly, as a use case would.
    func enqueueJob(_ orgID: String, kind: String = "noop", payload: String = #"{"n":1}"#) async throws -> String {
        let organization = OrganizationID(orgID)!
        let id = try await db.service.withTenant(organization, logger: TestEnvironment.logger) { connection in
            try await JobQueue.enqueue(
                NewJob(kind: kind, payload: payload), organization: organization, on: connection, logger: TestEnvironment.logger)
        }
        return String(id!)
    }

    /// Creates a key and returns its id and secret.
    func createKey(_ org: String, role: String = "admin", token: String? = operatorToken) async throws -> (id: String, secret: String) {
        let reply = try await call(.post, "/v1/orgs/\(org)/keys", token: token, json: #"{"name":"\#(role) key","role":"\#(role)"}"#)
        #expect(reply.status == .created, "\(reply.text)")
        struct Created: Decodable { let id: String, secret: String }
        let created = try reply.decode(Created.self)
        return (created.id, created.secret)
    }
}

/// A problem+json answer, as a client reads it.
struct ProblemReply: Decodable {
    struct Field: Decodable { let field: String, code: String }
    let code: String
    let detail: String
    let errors: [Field]?
}

func withAPI(
    migrator: Migrator? = nil, maxBodyBytes: Int = 64 * 1024, database: Database? = nil, rateLimit: RequestRateLimit? = nil,
    _ body: @Sendable @escaping (API) async throws -> Void
) async throws {
    try await withTestDatabase { db in
        try await serve(db, platforms: nil, migrator: migrator, maxBodyBytes: maxBodyBytes, database: database, rateLimit: rateLimit, body)
    }
}

/// The API with a platform simulator seeded with `organizations` (name, size), connectors pointed
/// at it; with `worker`, an in-process worker runs the jobs the API enqueues.
func withSimulatedAPI(
    organizations: [(name: String, size: Int)] = [("acme", 60)], simulator configuration: SimulatorConfiguration = SimulatorConfiguration(),
    connectors settings: ConnectorSettings = SimulatedPlatforms.testSettings, sync: SyncSettings = testSyncSettings(),
    console: ConsoleSettings? = nil, worker: Bool = true, logger: Logger? = nil, live: Bool = false,
    autoSync: AutoSyncSettings = quickAutoSyncSettings(), _ body: @Sendable @escaping (API) async throws -> Void
) async throws {
    try await withTestDatabase { db in
        try await SimulatedPlatforms.run(configuration, settings: settings) { platforms in
            for organization in organizations {
                _ = platforms.simulator.createOrganization(name: organization.name, seed: 7, size: organization.size)
            }
            guard worker else { return try await serve(db, platforms: platforms, sync: sync, console: console, logger: logger, body) }
            if live {
                // A server on a loopback port that the simulator can call (Graph notifications);
                // the worker learns its URL once it listens.
                return try await serve(db, platforms: platforms, sync: sync, console: console, logger: logger, live: true) { api in
                    var sync = sync
                    sync.publicURL = "http://localhost:\(api.client.port ?? 0)"
                    sync.graphNotifications = true
                    let handlers = workerHandlers(database: db.service, access: platforms.access, recheck: .seconds(1), sync: sync, logger: db.logger)
                    try await withWorker(db.service, handlers: handlers, autoSync: autoSync, logger: db.logger) { try await body(api) }
                }
            }
            let handlers = workerHandlers(database: db.service, access: platforms.access, recheck: .seconds(1), sync: sync, logger: db.logger)
            try await withWorker(db.service, handlers: handlers, autoSync: autoSync, logger: db.logger) {
                try await serve(db, platforms: platforms, sync: sync, console: console, logger: logger, body)
            }
        }
    }
}

private func serve(
    _ db: TestDatabase, platforms: SimulatedPlatforms?, migrator: Migrator? = nil, maxBodyBytes: Int = 64 * 1024,
    sync: SyncSettings = testSyncSettings(), console: ConsoleSettings? = nil, logger: Logger? = nil, database: Database? = nil,
    rateLimit: RequestRateLimit? = nil, live: Bool = false, _ body: @Sendable @escaping (API) async throws -> Void
) async throws {
    let connections = ConnectionCache(lifetime: 600)
    let access = ConnectorAccess(
        factory: platforms?.factory ?? ConnectorFactory(settings: SimulatedPlatforms.testSettings, logger: db.logger),
        secrets: TestSecrets.box, cache: connections)
    var dependencies = APIDependencies(
        database: database ?? db.service, migrator: try migrator ?? TestDatabase.migrator, metrics: sharedMetrics,
        operatorToken: operatorToken, maxBodyBytes: maxBodyBytes, connectors: access, healthCheckDelay: .seconds(1), sync: sync,
        console: console, signInProviders: platforms.map(signInProviders) ?? [], credentials: CredentialCache(lifetime: 600))
    dependencies.rateLimit = rateLimit
    let app = Application(router: try buildRouter(dependencies), logger: logger ?? TestEnvironment.logger("Hummingbird"))
    let credentials = dependencies.credentials!
    try await withAccessListener(credentials, connections: connections, db) {
        try await app.test(live ? .live : .router) { client in
            try await body(API(client: client, db: db, platforms: platforms, credentials: credentials, connections: connections))
        }
    }
}

/// Runs `body` while `credentials` (and `connections`) hear the database's access changes, as
/// `serve`'s do.
func withAccessListener(
    _ credentials: CredentialCache, connections: ConnectionCache? = nil, _ db: TestDatabase, _ body: @Sendable () async throws -> Void
) async throws {
    let observer = AccessChangeObservers([credentials] + (connections.map { [$0] } ?? []))
    let listener = AccessChangeListener(url: db.serviceURL, observer: observer, retryDelay: .milliseconds(200), logger: db.logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await listener.run() }
        defer { group.cancelAll() }
        try await eventually { credentials.isServing && connections?.isServing != false }
        try await body()
    }
}

/// The simulator's "Sign in with Slack" and Microsoft identity platform, as the console's providers.
func signInProviders(_ platforms: SimulatedPlatforms) -> [OpenIDClient] {
    let id = platforms.simulator.configuration.openIDClientID, secret = platforms.simulator.configuration.openIDClientSecret
    var logger = Logger(label: "sign-in")
    logger.logLevel = .critical
    return [
        OpenIDClient(settings: .slack(clientID: id, clientSecret: secret, issuer: "\(platforms.baseURL)/slack"), client: .shared, logger: logger),
        OpenIDClient(
            settings: .microsoft(clientID: id, clientSecret: secret, authority: "\(platforms.baseURL)/login/organizations/v2.0"),
            client: .shared, logger: logger),
    ]
}
