import Foundation
import NIOCore
import Testing
import UserSyncCLI

@Suite struct ConfigurationTests {
    static let good = [
        "DATABASE_URL": "postgres://svc:pw@localhost:5432/usersync",
        "USERSYNC_OPERATOR_TOKEN": String(repeating: "t", count: 40),
        "USERSYNC_ENCRYPTION_KEYS": "k1:" + Data(repeating: 7, count: 32).base64EncodedString(),
    ]

    static func serve(_ values: [String: String]) throws -> ServeSettings {
        var reader = EnvironmentReader(values: values)
        return try ServeSettings(&reader)
    }

    @Test func aCompleteEnvironmentGivesTypedSettings() throws {
        let settings = try Self.serve(Self.good.merging(["USERSYNC_HTTP_PORT": "9090", "DATABASE_POOL_SIZE": "5"]) { $1 })
        #expect(settings.port == 9090 && settings.host == "127.0.0.1")
        #expect(settings.database.poolSize == 5 && settings.database.url.database == "usersync")
        #expect(settings.secrets.currentKeyID == "k1")
        #expect(settings.maxBodyBytes == 1 << 20)
    }

    @Test func everyProblemIsNamedAtOnce() {
        let error = #expect(throws: ConfigurationError.self) { try Self.serve([:]) }
        let text = error?.description ?? ""
        for key in ["DATABASE_URL", "USERSYNC_OPERATOR_TOKEN", "USERSYNC_ENCRYPTION_KEYS"] {
            #expect(text.contains(key), "\(key) not named in: \(text)")
        }
    }

    @Test(arguments: [
        ("DATABASE_URL", "mysql://root:hunter2-secret@db/x"),
        ("DATABASE_URL", "postgres://root:hunter2-secret@db/"),
        ("USERSYNC_OPERATOR_TOKEN", "hunter2-secret"),
        ("USERSYNC_ENCRYPTION_KEYS", "k1:aHVudGVyMi1zZWNyZXQ="),
        ("USERSYNC_ENCRYPTION_KEYS", "hunter2-secret"),
        ("USERSYNC_HTTP_PORT", "99999"),
        ("DATABASE_POOL_SIZE", "zero"),
        ("USERSYNC_MAX_BODY_BYTES", "-1"),
        ("USERSYNC_EVENT_LOOP_EXECUTOR", "hunter2"),
    ])
    func anInvalidValueIsNamedButNeverPrinted(_ key: String, _ value: String) {
        let error = #expect(throws: ConfigurationError.self) { try Self.serve(Self.good.merging([key: value]) { $1 }) }
        let text = error?.description ?? ""
        #expect(text.contains(key), "\(text)")
        #expect(!text.contains("hunter2"), "a secret value was printed: \(text)")
        #expect(error?.problems.count == 1, "\(text)")
    }

    @Test func theWorkersDatabaseConcurrencyIsBoundedByItsJobsAndSizesNoPool() throws {
        func work(_ values: [String: String]) throws -> WorkSettings {
            var reader = EnvironmentReader(values: Self.good.merging(values) { $1 })
            return try WorkSettings(&reader)
        }
        let defaults = try work([:])
        #expect(defaults.worker.concurrency == 16 && defaults.worker.databaseConcurrency == 8)
        #expect(defaults.worker.lanes == min(System.coreCount, 16), "a lane per core")
        #expect(
            defaults.database.poolSize == 16 + 4 * defaults.worker.lanes, "the pool still fits every job, for the statements outside the bound")
        let few = try work(["USERSYNC_WORKER_CONCURRENCY": "3", "USERSYNC_WORKER_DATABASE_CONCURRENCY": "6", "USERSYNC_WORKER_LANES": "8"])
        #expect(few.worker.databaseConcurrency == 3)
        #expect(few.worker.lanes == 3, "no more lanes than jobs")
        let one = try work(["USERSYNC_WORKER_LANES": "1"])
        #expect(one.worker.lanes == 1 && one.database.poolSize == 20)
        let lanes = try work(["USERSYNC_WORKER_LANES": "3", "DATABASE_POOL_SIZE": "40"])
        #expect((0..<3).map(lanes.poolSize(lane:)) == [14, 13, 13], "the lanes share the pool")
        #expect(throws: ConfigurationError.self) { try work(["USERSYNC_WORKER_LANES": "0"]) }
        #expect(defaults.nice == 0, "the priority is lowered only when asked")
        #expect(try work(["USERSYNC_WORKER_NICE": "10"]).nice == 10)
        #expect(throws: ConfigurationError.self) { try work(["USERSYNC_WORKER_NICE": "20"]) }
        let error = #expect(throws: ConfigurationError.self) { try work(["USERSYNC_WORKER_DATABASE_CONCURRENCY": "0"]) }
        #expect(error?.description.contains("USERSYNC_WORKER_DATABASE_CONCURRENCY") == true)
    }

    @Test func dotEnvFilesAreReadAndTheEnvironmentWins() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("usersync-\(UUID()).env")
        try """
        # comment
        export USERSYNC_HTTP_PORT=7000
        USERSYNC_HTTP_HOST="0.0.0.0"
        USERSYNC_LOG_LEVEL='debug'

        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var reader = try EnvironmentReader.load(envFile: file.path, environment: Self.good.merging(["USERSYNC_HTTP_PORT": "7001"]) { $1 })
        let settings = try ServeSettings(&reader)
        #expect(settings.host == "0.0.0.0")
        #expect(settings.port == 7001)

        #expect(throws: ConfigurationError.self) { try EnvironmentReader.load(envFile: "/nonexistent/.env", environment: [:]) }
        try "NOT A LINE".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try EnvironmentReader.load(envFile: file.path, environment: [:]) }
    }
}
