import Logging
import UserSyncJobs
import UserSyncPersistence

extension JobHandlers {
    /// The Connect Center's and imports' job kinds.
    public mutating func registerDirectory(importer: ImportRunner, verifier: ConnectionVerifier, logger: Logger) {
        register(DirectoryJobs.runImport, payload: ImportJobPayload.self, onDead: { job in await importer.died(job, logger: logger) }) {
            payload, context in try await importer.run(payload, context: context)
        }
        register(DirectoryJobs.verifyConnection, payload: VerifyConnectionPayload.self) { payload, context in
            try await verifier.run(payload, context: context)
        }
        register(DirectoryJobs.refreshStatistics, payload: JobHandlers.Empty.self) { _, context in
            try await importer.refreshStatistics(context: context)
        }
    }
}

extension JobHandlers {
    /// Every job kind `usersync work` runs: the built-in ones, the Connect Center's and imports',
    /// User Sync's and Auto Sync's.
    public static func all(
        database: Database, access: ConnectorAccess, health: ConnectionHealthRecorder, sync: SyncSettings, logger: Logger
    ) -> JobHandlers {
        var handlers = JobHandlers.builtIn
        handlers.registerDirectory(
            importer: ImportRunner(database: database, access: access, health: health),
            verifier: ConnectionVerifier(database: database, access: access, health: health), logger: logger)
        let actions = PersonActions(database: database, access: access)
        handlers.registerUserSync(
            runner: SyncRunner(database: database, access: access, health: health, settings: sync),
            maintainer: UserTokenMaintainer(database: database, access: access, health: health, settings: sync),
            actions: actions, logger: logger)
        handlers.registerRelay(
            delivery: RelayDelivery(database: database, access: access, settings: sync),
            subscriber: RelaySubscriber(database: database, access: access, settings: sync), logger: logger)
        handlers.registerAutoSync(
            runs: AutoSyncRuns(database: database), remover: AutoSyncRemover(database: database, actions: actions),
            poller: AutoSyncPoller(
                database: database, access: access, health: health, notificationsPublicURL: sync.graphNotifications ? sync.publicURL : nil))
        return handlers
    }
}
