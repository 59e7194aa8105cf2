import Logging
import UserSyncWorker

extension JobHandlers {
    /// The Connect Center's and imports' job kinds.
    public mutating func registerDirectory(importer: ImportRunner, verifier: ConnectionVerifier, logger: Logger) {
        register(DirectoryJobs.runImport, payload: ImportJobPayload.self, onDead: { job in await importer.died(job, logger: logger) }) {
            payload, context in try await importer.run(payload, context: context)
        }
        register(DirectoryJobs.verifyConnection, payload: VerifyConnectionPayload.self) { payload, context in
            try await verifier.run(payload, context: context)
        }
    }
}
