import ArgumentParser
import AsyncHTTPClient
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UserSyncConnectors
import UserSyncJobs
import UserSyncPersistence
import UserSyncUseCases
import UserSyncWorker

/// `usersync work`: drains the job table. Refuses to start on a database with pending migrations
/// or as a role that could bypass row-level security, like `serve`.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Run jobs from the job table.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        var reader = try options.reader()
        let files = try MigrationSettings.files(&reader)
        let settings = try await CommandSupport.reporting { try WorkSettings(&reader) }
        let (logger, registry) = try CommandSupport.bootstrapObservability(reader, label: "usersync.work")

        // The schema and the role are checked before anything starts, on a pool of their own.
        try await CommandSupport.reporting {
            try await Database.withRunning(url: settings.database.url, poolSize: 1, logger: logger) { database in
                try await Migrator(files: files!).requireCurrent(database, logger: logger)
                try await ServiceRole.verify(database, logger: logger)
            }
        }

        let database = Database(url: settings.database.url, poolSize: settings.database.poolSize, logger: logger)
        let queue = JobQueue(database: database)
        let handlers = Self.handlers(database: database, settings: settings, logger: logger)
        let processor = JobProcessor(queue: queue, handlers: handlers, settings: settings.worker, logger: logger)
        // On SIGTERM the group stops services in reverse order: the metrics endpoint, retention
        // the reaper and the Auto Sync scheduler first, then the processor drains its running jobs, and the database last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: database),
            .init(service: processor, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: LeaseReaper(queue: queue, handlers: handlers, settings: settings.worker, logger: logger)),
            .init(service: JobRetention(queue: queue, settings: settings.worker, logger: logger)),
            .init(service: AutoSyncScheduler(database: database, settings: settings.autoSync, logger: logger)),
        ]
        if settings.metricsPort > 0 {
            // Prometheus scrapes the worker here: job counters, run times, queue depth.
            let router = Router()
            router.get("healthz") { _, _ in "ok" }
            router.get("metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
            services.append(
                .init(
                    service: Application(
                        router: router,
                        configuration: .init(address: .hostname(settings.metricsHost, port: settings.metricsPort), serverName: "usersync-work"),
                        logger: logger)))
        }
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        // Running jobs get the grace period; a service still stopping well after it is cancelled,
        // and a process still alive after that ends itself (ShutdownWatchdog).
        configuration.maximumGracefulShutdownDuration = settings.worker.gracePeriod + Self.shutdownMargin
        ShutdownWatchdog.arm(limit: settings.worker.gracePeriod + Self.shutdownMargin * 2, process: "usersync work", logger: logger)
        let group = ServiceGroup(configuration: configuration)
        logger.info("usersync work started", metadata: ["worker": "\(processor.workerID)", "kinds": "\(processor.kinds)"])
        try await CommandSupport.reporting {
            do {
                try await group.run()
            } catch let error as ServiceGroupError {
                throw CommandFailure(description: "usersync work stopped: \(describeFailure(error))")
            }
        }
    }
}

extension WorkCommand {
    /// Beyond the grace period: for releasing unfinished jobs and closing connections.
    static let shutdownMargin: Duration = .seconds(10)

    /// Every job kind the worker runs.
    static func handlers(database: Database, settings: WorkSettings, logger: Logger) -> JobHandlers {
        let access = ConnectorAccess(
            factory: ConnectorFactory(settings: settings.platforms.connectors, logger: logger),
            secrets: settings.secrets)
        let health = ConnectionHealthRecorder(database: database, firstCheck: settings.platforms.recheckDelay)
        return .all(database: database, access: access, health: health, sync: settings.sync, logger: logger)
    }
}
