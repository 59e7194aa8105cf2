import Hummingbird
import HummingbirdAuth
import Logging
import Prometheus
import UserSyncConnectors
import UserSyncDomain
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
    /// The console's sessions, invitations and sign-ins.
    public var console: ConsoleSettings
    /// The identity providers admins sign in to the console with (none: API keys only).
    public var signInProviders: [OpenIDClient]
    /// API keys admitted lately, while an ``AccessChangeListener`` keeps it correct (nil: none).
    public var credentials: CredentialCache?
    /// For what happens outside a request (the console's session store).
    public var logger = Logger(label: "usersync")
    /// Requests per API key and per SCIM token, in this process (nil: unlimited). The operator
    /// token is never limited.
    public var rateLimit: RequestRateLimit?

    public init(
        database: Database, migrator: Migrator, metrics: PrometheusCollectorRegistry, operatorToken: String, maxBodyBytes: Int,
        connectors: ConnectorAccess, healthCheckDelay: Duration = .seconds(60), sync: SyncSettings, console: ConsoleSettings? = nil,
        signInProviders: [OpenIDClient] = [], credentials: CredentialCache? = nil
    ) {
        self.database = database
        self.migrator = migrator
        self.metrics = metrics
        self.operatorToken = operatorToken
        self.maxBodyBytes = maxBodyBytes
        self.connectors = connectors
        self.healthCheckDelay = healthCheckDelay
        self.sync = sync
        self.console = console ?? ConsoleSettings(publicURL: sync.publicURL)
        self.signInProviders = signInProviders
        self.credentials = credentials
    }
}

/// The router, shared by `usersync serve` and the tests: the JSON API, the consent pages and the
/// console. Fails only when the API's resources (the console's templates, the OpenAPI document) are
/// missing or do not parse.
public func buildRouter(_ dependencies: APIDependencies) throws -> Router<AppRequestContext> {
    let administration = OrganizationAdministration(database: dependencies.database, credentials: dependencies.credentials)
    let rateLimiter = dependencies.rateLimit.map { RequestRateLimiter(limit: $0) }
    let router = Router(context: AppRequestContext.self)
    let table = RouteTableBox()
    router.addMiddleware {
        MetricsMiddleware()
        RequestEnvelopeMiddleware(bodyLimit: dependencies.maxBodyBytes, routes: table)
    }
    OperationalRoutes(
        database: dependencies.database, migrator: dependencies.migrator, metrics: dependencies.metrics, document: try OpenAPIDocument.load()
    )
    .addRoutes(to: router)

    let orgs = router.group("v1/orgs")
        .add(
            middleware: AuthenticationMiddleware(
                operatorToken: dependencies.operatorToken, administration: administration, rateLimiter: rateLimiter))
    let organizationRoutes = OrganizationRoutes(administration: administration)
    organizationRoutes.addRoutes(to: orgs)
    let tenant = orgs.group("{org}")
        .add(middleware: OrganizationAccessMiddleware(administration: administration))
        .group(context: TenantRequestContext.self)
    organizationRoutes.addTenantRoutes(to: tenant)
    let health = ConnectionHealthRecorder(database: dependencies.database, firstCheck: dependencies.healthCheckDelay)
    let center = ConnectCenter(database: dependencies.database, access: dependencies.connectors, health: health)
    let directory = PeopleDirectory(database: dependencies.database)
    let userSync = UserSync(database: dependencies.database, settings: dependencies.sync)
    let activity = ActivityLog(database: dependencies.database)
    let members = ConsoleMembers(database: dependencies.database, settings: dependencies.console)
    APIKeyRoutes(administration: administration).addRoutes(to: tenant)
    JobRoutes(activity: activity).addRoutes(to: tenant)
    ConnectionRoutes(center: center).addRoutes(to: tenant)
    ImportRoutes(center: center).addRoutes(to: tenant)
    PeopleRoutes(directory: directory).addRoutes(to: tenant)
    SyncRoutes(userSync: userSync).addRoutes(to: tenant)
    PersonActionRoutes(userSync: userSync).addRoutes(to: tenant)
    AuditRoutes(activity: activity).addRoutes(to: tenant)
    MemberRoutes(members: members).addRoutes(to: tenant)
    RoutingRoutes(routing: MessageRouting(database: dependencies.database)).addRoutes(to: tenant)
    MessageRoutes(ledger: RelayLedger(database: dependencies.database, settings: dependencies.sync)).addRoutes(to: tenant)
    RelayPolicyRoutes(policies: RelayPolicies(database: dependencies.database)).addRoutes(to: tenant)
    AutoSyncRoutes(
        policies: AutoSyncPolicies(database: dependencies.database), planning: AutoSyncPlanning(database: dependencies.database),
        runs: AutoSyncRuns(database: dependencies.database), center: center
    )
    .addRoutes(to: tenant)
    ScimTokenRoutes(tokens: ScimTokens(database: dependencies.database)).addRoutes(to: tenant)
    ConsentRoutes(flow: ConsentFlow(database: dependencies.database, access: dependencies.connectors, settings: dependencies.sync))
        .addRoutes(to: router)
    GraphNotificationRoutes(
        notifications: AutoSyncNotifications(database: dependencies.database),
        chats: RelayChatNotifications(database: dependencies.database, settings: dependencies.sync), bodyLimit: dependencies.maxBodyBytes
    )
    .addRoutes(to: router)
    RelayEventRoutes(
        inbox: RelayInbox(database: dependencies.database, access: dependencies.connectors, settings: dependencies.sync),
        bodyLimit: dependencies.maxBodyBytes
    ).addRoutes(to: router)

    // The console: HTML pages over the same use cases.
    let renderer = try ConsoleRenderer()
    let sessions = ConsoleSessions(database: dependencies.database, settings: dependencies.console)
    let console = router.group("console")
        .add(middleware: ConsolePageMiddleware(renderer: renderer))
        .add(
            middleware: SessionMiddleware<AppRequestContext>(
                storage: ConsoleSessionStore(sessions: sessions, logger: dependencies.logger),
                configuration: .init(
                    sessionCookieParameters: .init(
                        name: ConsoleSignInRoutes.sessionCookie, path: "/console", secure: dependencies.console.secureCookies, sameSite: .lax),
                    keyPrefix: "", defaultSessionExpiration: dependencies.console.sessionLifetime))
        )
        .add(
            middleware: SessionAuthenticator(context: AppRequestContext.self) { (session: ConsoleSession, context) in
                try await sessions.identify(session, logger: context.logger)
            })
    ConsoleSignInRoutes(
        signIn: ConsoleSignIn(
            database: dependencies.database, settings: dependencies.console, providers: dependencies.signInProviders,
            access: dependencies.connectors),
        sessions: sessions, settings: dependencies.console, renderer: renderer
    ).addRoutes(to: console)
    let pages = console.group("{org}")
        .add(middleware: ConsoleOrganizationMiddleware(renderer: renderer))
        .group(context: ConsoleContext.self)
    ConsoleConnectRoutes(center: center, renderer: renderer).addRoutes(to: pages)
    ConsoleImportRoutes(center: center, renderer: renderer).addRoutes(to: pages)
    ConsolePeopleRoutes(
        directory: directory, userSync: userSync, center: center, activity: activity,
        autoSync: AutoSyncPolicies(database: dependencies.database), settings: dependencies.sync, renderer: renderer
    ).addRoutes(to: pages)
    ConsoleAdminRoutes(activity: activity, administration: administration, members: members, renderer: renderer).addRoutes(to: pages)
    ConsoleAutoSyncRoutes(
        policies: AutoSyncPolicies(database: dependencies.database), runs: AutoSyncRuns(database: dependencies.database), center: center,
        renderer: renderer
    ).addRoutes(to: pages)

    // SCIM 2.0 (/scim/v2/{org}/…): its own router, reached for the paths no route above serves.
    router.add(middleware: ScimEndpoint(database: dependencies.database, publicURL: dependencies.sync.publicURL, rateLimiter: rateLimiter))
    table.set(RouteTable(router.routes))
    return router
}
