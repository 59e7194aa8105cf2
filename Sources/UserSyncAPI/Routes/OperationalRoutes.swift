import Foundation
import Hummingbird
import Prometheus
import UserSyncPersistence

/// Liveness, readiness, metrics and the API description: no credentials needed.
struct OperationalRoutes {
    let database: Database
    let migrator: Migrator
    let metrics: PrometheusCollectorRegistry
    let document: OpenAPIDocument

    struct Status: Encodable {
        let status: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in try Response.json(Status(status: "ok")) }
        router.get("readyz", use: ready)
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        let document = ByteBuffer(bytes: document.data)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
    }

    /// Ready when the database answers and its schema is exactly this build's migrations.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            try await database.ping(logger: context.logger)
        } catch {
            context.logger.warning("readiness: database unreachable", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.serviceUnavailable, code: "database_unreachable", title: "Not ready", detail: "The database does not answer.")
        }
        do {
            try await migrator.requireCurrent(database, logger: context.logger)
        } catch let error as MigrationError {
            throw APIError(.serviceUnavailable, code: "migrations_not_current", title: "Not ready", detail: error.description)
        } catch {
            context.logger.warning("readiness: migrations unreadable", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(
                .serviceUnavailable, code: "migrations_unreadable", title: "Not ready", detail: "The applied migrations could not be read.")
        }
        return try .json(Status(status: "ready"))
    }
}
