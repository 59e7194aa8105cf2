import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncJobs
import UserSyncPersistence
import UserSyncSecrets
import UserSyncSimulator
import UserSyncUseCases
import UserSyncWorker

/// The keyring tests seal credentials with.
public enum TestSecrets {
    public static let box: SecretBox = {
        do { return try SecretBox(keys: [.init(id: "test", material: Data(repeating: 7, count: 32))]) } catch {
            fatalError("the test key is 32 bytes: \(error)")
        }
    }()
}

extension SimulatedPlatforms {
    /// Connector access through this simulator's connectors, as `serve` and `work` build it.
    public var access: ConnectorAccess {
        ConnectorAccess(factory: factory, secrets: TestSecrets.box)
    }

    /// The JSON an admin posts to connect `platform` of a simulated organization.
    public func connectionBody(_ platform: Platform, organization: String) -> String {
        let body = simulator.summary(organization: organization)!.usersyncConnection(platform, base: baseURL)
        return String(decoding: try! JSONEncoder().encode(body), as: UTF8.self)
    }
}

/// What the service does with consent links in tests: a public URL no browser needs, short waits.
public func testSyncSettings(publicURL: String = "http://usersync.test") -> SyncSettings {
    var settings = SyncSettings(publicURL: publicURL)
    settings.retryBaseDelay = .milliseconds(100)
    settings.maxRetryDelay = .seconds(1)
    return settings
}

/// Job handlers of the worker as `usersync work` registers them, over `database` and `access`.
public func workerHandlers(
    database: Database, access: ConnectorAccess, recheck: Duration = .seconds(60), sync: SyncSettings = testSyncSettings(), logger: Logger
) -> JobHandlers {
    .all(database: database, access: access, health: ConnectionHealthRecorder(database: database, firstCheck: recheck), sync: sync, logger: logger)
}

/// Worker settings that keep tests quick: fast polling, tiny retry delays. The lease is not
/// short: with the whole suite running on two cores a renewal (every third of it) came more than
/// two seconds late, a 3-second lease lapsed and the run was cancelled mid-call, which a test that
/// watches a sync's steps then saw as a step missing. Tests of lapsed leases set their own.
public func quickWorkerSettings(concurrency: Int = 8) -> WorkerSettings {
    var settings = WorkerSettings()
    settings.concurrency = concurrency
    settings.batchSize = 50
    settings.lease = .seconds(15)
    settings.pollInterval = .milliseconds(100)
    settings.gracePeriod = .seconds(2)
    settings.reaperInterval = .milliseconds(200)
    settings.retryBaseDelay = .milliseconds(100)
    settings.maxRetryDelay = .seconds(1)
    return settings
}

/// Auto Sync settings that keep tests quick: Entra groups polled every second.
public func quickAutoSyncSettings() -> AutoSyncSettings {
    var settings = AutoSyncSettings()
    settings.pollInterval = .seconds(1)
    settings.sweepInterval = .milliseconds(200)
    return settings
}

/// Runs an in-process worker (processor, reaper and Auto Sync scheduler) with `handlers` while
/// `body` runs.
public func withWorker<T: Sendable>(
    _ database: Database, handlers: JobHandlers, settings: WorkerSettings = quickWorkerSettings(),
    autoSync: AutoSyncSettings = quickAutoSyncSettings(), logger: Logger, _ body: @Sendable () async throws -> T
) async throws -> T {
    let queue = JobQueue(database: database)
    let processor = JobProcessor(queue: queue, handlers: handlers, settings: settings, workerID: "test-worker", logger: logger)
    let reaper = LeaseReaper(queue: queue, handlers: handlers, settings: settings, logger: logger)
    let scheduler = AutoSyncScheduler(database: database, settings: autoSync, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await processor.run() }
        group.addTask {
            while !Task.isCancelled {
                await reaper.reapOnce()
                await scheduler.sweepOnce()
                try await Task.sleep(for: settings.reaperInterval)
            }
        }
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        processor.stop()
        group.cancelAll()
        while let next = await group.nextResult() {
            if case .failure(let error) = next, !(error is CancellationError) { throw error }
        }
        return try result.get()
    }
}
