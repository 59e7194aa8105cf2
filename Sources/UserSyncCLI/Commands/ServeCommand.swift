import ArgumentParser
import AsyncHTTPClient
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UserSyncAPI
import UserSyncConnectors
import UserSyncPersistence
import UserSyncUseCases

/// `usersync serve`: the HTTP API. Refuses to start on a database with pending migrations or
/// when connected as a role that could bypass row-level security.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        var reader = try options.reader()
        let files = try MigrationSettings.files(&reader)
        let settings = try await CommandSupport.reporting { try ServeSettings(&reader) }
        let (logger, registry) = try CommandSupport.bootstrapObservability(reader, label: "usersync")

        let database = Database(url: settings.database.url, poolSize: settings.database.poolSize, logger: logger)
        let credentials = CredentialCache(lifetime: Double(settings.keyCacheLifetime))
        let connections = ConnectionCache(lifetime: Double(settings.platforms.connectionCacheLifetime))
        let listener = AccessChangeListener(
            url: settings.database.url, observer: AccessChangeObservers([credentials, connections]), logger: logger)
        let migrator = Migrator(files: files!)
        var dependencies = APIDependencies(
            database: database, migrator: migrator, metrics: registry,
            operatorToken: settings.operatorToken, maxBodyBytes: settings.maxBodyBytes,
            connectors: ConnectorAccess(
                factory: ConnectorFactory(settings: settings.platforms.connectors, logger: logger),
                secrets: settings.secrets, cache: connections),
            healthCheckDelay: settings.platforms.recheckDelay, sync: settings.sync, console: settings.console.settings,
            signInProviders: CommandSupport.signInProviders(settings.console, logger: logger), credentials: credentials)
        dependencies.rateLimit = settings.rateLimit
        var app = Application(
            router: try buildRouter(dependencies),
            server: settings.http.server,
            configuration: settings.http.configuration(address: .hostname(settings.host, port: settings.port), serverName: "usersync"),
            services: [database, listener],
            logger: logger)
        app.beforeServerStarts {
            try await migrator.requireCurrent(database, logger: logger)
            try await ServiceRole.verify(database, logger: logger)
            logger.info("usersync serve listening", metadata: ["address": "\(settings.host):\(settings.port)"])
        }
        // In-flight requests finish in far less; a process still alive after this ends itself.
        ShutdownWatchdog.arm(limit: .seconds(30), process: "usersync serve", logger: logger)
        ParentWatch.start(settings.parentPID, process: "usersync serve", logger: logger)
        try await CommandSupport.reporting {
            do {
                try await app.runService()
            } catch let error as ServiceRole.Violation {
                throw CommandFailure(description: error.description)
            }
        }
    }
}
