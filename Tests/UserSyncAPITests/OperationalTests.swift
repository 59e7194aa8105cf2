import Foundation
import Testing
import UserSyncPersistence
import UserSyncTestSupport

@Suite struct OperationalTests {
    struct Status: Decodable { let status: String }
    struct RequestID: Decodable { let requestId: String }

    @Test func healthAndReadiness() async throws {
        try await withAPI { api in
            let health = try await api.call(.get, "/healthz", token: nil)
            #expect(try health.status == .ok && health.decode(Status.self).status == "ok")
            let ready = try await api.call(.get, "/readyz", token: nil)
            #expect(try ready.status == .ok && ready.decode(Status.self).status == "ready")
        }
    }

    @Test func notReadyWhileMigrationsArePending() async throws {
        let files = try MigrationFile.load(from: TestEnvironment.sqlDirectory)
        let extra = try MigrationFile(name: String(format: "%04d_next.sql", files.count + 1), contents: Data("SELECT 1;".utf8))
        try await withAPI(migrator: Migrator(files: files + [extra])) { api in
            let ready = try await api.call(.get, "/readyz", token: nil)
            #expect(ready.status == .serviceUnavailable)
            let problem = try ready.decode(ProblemReply.self)
            #expect(problem.code == "migrations_not_current")
            #expect(problem.detail.contains("usersync migrate"))
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func notReadyWhenTheDatabaseDoesNotAnswer() async throws {
        let unreachable = Database(
            url: try DatabaseURL("postgres://usersync_service@127.0.0.1:9/usersync?sslmode=disable"), poolSize: 1, logger: TestEnvironment.logger)
        let pool = Task { await unreachable.run() }
        defer { pool.cancel() }
        try await withAPI(database: unreachable) { api in
            let started = ContinuousClock.now
            let ready = try await api.call(.get, "/readyz", token: nil)
            #expect(ready.status == .serviceUnavailable)
            #expect(try ready.decode(ProblemReply.self).code == "database_unreachable")
            #expect(ContinuousClock.now - started < .seconds(30), "readiness answers instead of waiting for a connection")
            #expect(try await api.call(.get, "/healthz", token: nil).status == .ok, "the process is alive all the same")
        }
    }

    @Test func metricsArePrometheusTextLabelledByRoute() async throws {
        try await withAPI { api in
            _ = try await api.call(.get, "/healthz", token: nil)
            let metrics = try await api.call(.get, "/metrics", token: nil)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains("hb_requests"))
            #expect(metrics.text.contains("/healthz"))
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        try await withAPI { api in
            let generated = try await api.call(.get, "/healthz", token: nil)
            #expect((generated.headers[.init("X-Request-Id")!]?.count ?? 0) >= 16)

            let echoed = try await api.call(.get, "/v1/orgs/nope", token: "bad", headers: [.init("X-Request-Id")!: "req-123"])
            #expect(echoed.headers[.init("X-Request-Id")!] == "req-123")
            #expect(try echoed.decode(RequestID.self).requestId == "req-123")

            // A caller's id that could forge log lines is replaced.
            let forged = try await api.call(.get, "/healthz", token: nil, headers: [.init("X-Request-Id")!: "a b\tc"])
            #expect(forged.headers[.init("X-Request-Id")!] != "a b\tc")
        }
    }
}
