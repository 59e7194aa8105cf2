import Logging
import PostgresNIO
import ServiceLifecycle
import UserSyncDomain

/// Told about changes to API keys, organizations and platform connections (``AccessChangeListener``).
public protocol AccessChangeObserver: Sendable {
    /// Every change from now on will be heard.
    func listening()
    func changed(_ change: AccessChange)
    /// Changes may go unheard until the next ``listening()``.
    func lost()
}

/// Several observers, told the same.
public struct AccessChangeObservers: AccessChangeObserver {
    let all: [any AccessChangeObserver]

    public init(_ all: [any AccessChangeObserver]) { self.all = all }

    public func listening() { for observer in all { observer.listening() } }
    public func changed(_ change: AccessChange) { for observer in all { observer.changed(change) } }
    public func lost() { for observer in all { observer.lost() } }
}

/// Listens on the `usersync_access` channel, where triggers on `api_keys`, `organizations` and
/// `platform_connections` announce every revocation, rename, change and deletion (sql/0013,
/// 0036), and tells `observer`. Holds one connection of its own (not of the request pool) and
/// reconnects after a failure, telling the observer in between that it is not listening.
public struct AccessChangeListener: Service {
    public static let channel = "usersync_access"

    let client: PostgresClient
    let observer: any AccessChangeObserver
    let retryDelay: Duration
    let logger: Logger

    public init(url: DatabaseURL, observer: any AccessChangeObserver, retryDelay: Duration = .seconds(2), logger: Logger) {
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        self.client = PostgresClient(configuration: url.clientConfiguration(maximumConnections: 1), backgroundLogger: background)
        self.observer = observer
        self.retryDelay = retryDelay
        self.logger = logger
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            await cancelWhenGracefulShutdown { await listen() }
            group.cancelAll()
        }
        observer.lost()
    }

    private func listen() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        observer.listening()
                        if failures > 0 { logger.info("listening for access changes again") }
                        failures = 0
                        for try await notification in notifications {
                            if let change = AccessChange(payload: notification.payload) {
                                observer.changed(change)
                            } else {
                                logger.warning("unreadable access change", metadata: ["payload": .string(notification.payload)])
                            }
                        }
                    }
                }
            } catch {
                observer.lost()
                if Task.isCancelled { return }
                failures += 1
                if failures == 1 {
                    logger.warning(
                        "not listening for access changes; API keys are checked in the database until it is back",
                        metadata: ["error": .string(String(reflecting: error))])
                }
            }
            observer.lost()
            try? await Task.sleep(for: retryDelay)
        }
    }
}
