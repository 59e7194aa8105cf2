import ArgumentParser
import AsyncHTTPClient
import Hummingbird
import Logging
import Metrics
import NIOPosix
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
        let unchanged = ProcessPriority.lower(to: settings.nice)
        if !unchanged.isEmpty {
            logger.warning("could not lower the CPU priority of every thread", metadata: ["threads": "\(unchanged)", "nice": "\(settings.nice)"])
        }
        if ProcessPriority.lowerAutogroup(to: settings.nice) == false {
            logger.warning("could not lower the CPU priority of the worker's session (its autogroup)", metadata: ["nice": "\(settings.nice)"])
        }

        // The schema and the role are checked before anything starts, on a pool of their own.
        try await CommandSupport.reporting {
            try await Database.withRunning(url: settings.database.url, poolSize: 1, logger: logger) { database in
                try await Migrator(files: files!).requireCurrent(database, logger: logger)
                try await ServiceRole.verify(database, logger: logger)
            }
        }

        // The relay's connections, served from memory while the listener hears every change; the
        // connectors (their rate limiters and token caches) are shared by every lane too.
        let connections = ConnectionCache(lifetime: Double(settings.platforms.connectionCacheLifetime))
        let access = ConnectorAccess(
            factory: ConnectorFactory(settings: settings.platforms.connectors, logger: logger), secrets: settings.secrets, cache: connections)
        let group = JobProcessorGroup()
        let lanes = Self.lanes(settings, group: group, access: access, logger: logger)
        let first = lanes[0]
        // On SIGTERM the group stops services in reverse order: the metrics endpoint, the Auto Sync
        // scheduler, retention and the reaper first, then the lanes drain their running jobs, and
        // the databases last. A service that ends or fails (the metrics port taken) stops the group
        // the same way: cancelling it instead shut the pool down under services still using it,
        // and one of them waited forever on a connection that would never answer.
        let databases: [any Service] = lanes.map(\.database)
        let services: [any Service] =
            databases + [
                AccessChangeListener(url: settings.database.url, observer: connections, logger: logger),
                // One service, so that every lane stops claiming at once.
                group,
                LeaseReaper(queue: first.queue, handlers: first.handlers, settings: settings.worker, logger: logger),
                JobRetention(queue: first.queue, settings: settings.worker, logger: logger),
                AutoSyncScheduler(database: first.database, settings: settings.autoSync, logger: logger),
            ] + metricsEndpoint(settings, registry: registry, logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        // Running jobs get the grace period; a service still stopping well after it is cancelled,
        // and a process still alive after that ends itself (ShutdownWatchdog).
        configuration.maximumGracefulShutdownDuration = settings.worker.gracePeriod + Self.shutdownMargin
        ShutdownWatchdog.arm(limit: settings.worker.gracePeriod + Self.shutdownMargin * 2, process: "usersync work", logger: logger)
        ParentWatch.start(settings.parentPID, process: "usersync work", logger: logger)
        logger.info(
            "usersync work started", metadata: ["workers": "\(lanes.map(\.processor.workerID))", "kinds": "\(first.processor.kinds)"])
        try await CommandSupport.reporting {
            do {
                try await ServiceGroup(configuration: configuration).run()
            } catch let error as ServiceGroupError {
                throw CommandFailure(description: "usersync work stopped: \(describeFailure(error))")
            }
        }
    }
}

extension WorkCommand {
    /// Beyond the grace period: for releasing unfinished jobs and closing connections.
    static let shutdownMargin: Duration = .seconds(10)

    /// Where Prometheus scrapes the worker (job counters, run times, queue depth); none when the
    /// port is 0.
    private func metricsEndpoint(_ settings: WorkSettings, registry: PrometheusCollectorRegistry, logger: Logger) -> [any Service] {
        guard settings.metricsPort > 0 else { return [] }
        let router = Router()
        router.get("healthz") { _, _ in "ok" }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return [
            Application(
                router: router,
                configuration: .init(address: .hostname(settings.metricsHost, port: settings.metricsPort), serverName: "usersync-work"),
                logger: logger)
        ]
    }

    /// One claim loop of the process with what it runs on (``WorkerSettings/lanes``).
    struct Lane {
        var database: Database
        var queue: JobQueue
        var handlers: JobHandlers
        var processor: JobProcessor
    }

    /// The process's lanes, each with its share of the jobs and of the pool, its connections made
    /// on an event loop of its own and its claim loop started there.
    static func lanes(_ settings: WorkSettings, group: JobProcessorGroup, access: ConnectorAccess, logger: Logger) -> [Lane] {
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        return (0..<settings.worker.lanes).map { index in
            let worker = settings.worker.lane(index)
            let loop = loops[index % loops.count]
            let database = Database(
                url: settings.database.url, poolSize: settings.poolSize(lane: index), concurrentLeases: worker.databaseConcurrency,
                eventLoopGroup: loop, logger: logger)
            // The queue's own statements (claims, lease renewals, outcomes) share the pool but not
            // the bound: a lease must not wait behind the jobs it keeps alive.
            let queue = JobQueue(database: Database(client: database.client))
            let health = ConnectionHealthRecorder(database: database, firstCheck: settings.platforms.recheckDelay)
            let handlers = JobHandlers.all(database: database, access: access, health: health, sync: settings.sync, logger: logger)
            let processor = JobProcessor(queue: queue, handlers: handlers, settings: worker, eventLoop: loop, group: group, logger: logger)
            return Lane(database: database, queue: queue, handlers: handlers, processor: processor)
        }
    }
}
