import Hummingbird
import Logging
import Prometheus
import UserSyncPersistence
import UserSyncUseCases

/// What the HTTP API needs, built by the composition root (or a test).
public struct APIDependencies: Sendable {
    public var database: Database
    public var migrator: Migrator
    public var metrics: PrometheusCollectorRegistry
    /// Compared in constant time; never logged.
    public var operatorToken: String
    public var maxBodyBytes: Int
    /// Platform connectors and the keyring that opens stored credentials.
    public var connectors: ConnectorAccess
    /// When a connection that needs attention is first re-checked by the worker.
    public var healthCheckDelay: Duration
    /// Consent links, their lifetimes and the reprompt interval.
    public var sync: SyncSettings

    public init(
        database: Database, migrator: Migrator, metrics: PrometheusCollectorRegistry, operatorToken: String, maxBodyBytes: Int,
        connectors: ConnectorAccess, healthCheckDelay: Duration = .seconds(60), sync: SyncSettings
    ) {
        self.database = database
        self.migrator = migrator
        self.metrics = metrics
        self.operatorToken = operatorToken
        self.maxBodyBytes = maxBodyBytes
        self.connectors = connectors
        self.healthCheckDelay = healthCheckDelay
        self.sync = sync
    }
}

/// The router, shared by `usersync serve` and the tests.
public func buildRouter(_ dependencies: APIDependencies) -> Router<AppRequestContext> {
    let administration = OrganizationAdministration(database: dependencies.database)
    let router = Router(context: AppRequestContext.self)
    let table = RouteTableBox()
    router.addMiddleware {
        MetricsMiddleware()
        RequestEnvelopeMiddleware(bodyLimit: dependencies.maxBodyBytes, routes: table)
    }
    OperationalRoutes(database: dependencies.database, migrator: dependencies.migrator, metrics: dependencies.metrics)
        .addRoutes(to: router)

    let orgs = router.group("v1/orgs")
        .add(middleware: AuthenticationMiddleware(operatorToken: dependencies.operatorToken, administration: administration))
    let organizationRoutes = OrganizationRoutes(administration: administration)
    organizationRoutes.addRoutes(to: orgs)
    let tenant = orgs.group("{org}")
        .add(middleware: OrganizationAccessMiddleware(administration: administration))
        .group(context: TenantRequestContext.self)
    organizationRoutes.addTenantRoutes(to: tenant)
    APIKeyRoutes(administration: administration).addRoutes(to: tenant)
    JobRoutes(database: dependencies.database).addRoutes(to: tenant)
    let health = ConnectionHealthRecorder(database: dependencies.database, firstCheck: dependencies.healthCheckDelay)
    let center = ConnectCenter(database: dependencies.database, access: dependencies.connectors, health: health)
    ConnectionRoutes(center: center).addRoutes(to: tenant)
    ImportRoutes(center: center).addRoutes(to: tenant)
    PeopleRoutes(directory: PeopleDirectory(database: dependencies.database)).addRoutes(to: tenant)
    let userSync = UserSync(database: dependencies.database, settings: dependencies.sync)
    SyncRoutes(userSync: userSync).addRoutes(to: tenant)
    PersonActionRoutes(userSync: userSync).addRoutes(to: tenant)
    AuditRoutes(database: dependencies.database).addRoutes(to: tenant)
    RoutingRoutes(routing: MessageRouting(database: dependencies.database)).addRoutes(to: tenant)
    ConsentRoutes(flow: ConsentFlow(database: dependencies.database, access: dependencies.connectors, settings: dependencies.sync))
        .addRoutes(to: router)

    table.set(RouteTable(router.routes))
    return router
}
