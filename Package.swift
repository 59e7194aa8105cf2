// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "usersync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "usersync", targets: ["usersync"]),
        .executable(name: "usersync-simulator", targets: ["usersync-simulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        // Pure rules and value types: no I/O, no server stack.
        .target(name: "UserSyncDomain", swiftSettings: strict),
        // AES-GCM envelope for secrets at rest, API key generation and hashing.
        .target(
            name: "UserSyncSecrets",
            dependencies: [
                "UserSyncDomain",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // PostgreSQL: migrations, tenant-scoped transactions, repositories.
        .target(
            name: "UserSyncPersistence",
            dependencies: [
                "UserSyncDomain",
                "UserSyncSecrets",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Chat platform clients (AsyncHTTPClient), one folder per platform behind one protocol.
        .target(
            name: "UserSyncConnectors",
            dependencies: [
                "UserSyncDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: strict
        ),
        // The platform simulator: Slack, Graph/Teams, Zoom and Webex wire formats with seeded
        // directories and fault injection. Never linked into `usersync`.
        .target(
            name: "UserSyncSimulator",
            dependencies: [
                "UserSyncDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "usersync-simulator",
            dependencies: [
                "UserSyncSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // `scripts/demo`'s journey through the API of a running service and simulator.
        .executableTarget(
            name: "usersync-demo",
            dependencies: [
                "UserSyncSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // Lists a large simulated organization through every connector and prints figures as JSON.
        .executableTarget(
            name: "usersync-connector-bench",
            dependencies: [
                "UserSyncConnectors", "UserSyncSimulator", "UserSyncTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Imports a large simulated organization through a real `usersync work` and prints figures as JSON.
        .executableTarget(
            name: "usersync-import-bench",
            dependencies: [
                "UserSyncUseCases", "UserSyncSimulator", "UserSyncTestSupport", "UserSyncConnectors", "UserSyncPersistence",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Bulk-syncs people through real `usersync serve` and `work` processes and prints figures as JSON.
        .executableTarget(
            name: "usersync-sync-bench",
            dependencies: [
                "UserSyncSimulator", "UserSyncTestSupport", "UserSyncPersistence", "UserSyncDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Measures Auto Sync's plans and applies through real `usersync serve` and `work` processes and prints figures as JSON.
        .executableTarget(
            name: "usersync-autosync-bench",
            dependencies: [
                "UserSyncSimulator", "UserSyncTestSupport", "UserSyncDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Measures the console's Sync users page through real `usersync serve` and `work` processes and prints figures as JSON.
        .executableTarget(
            name: "usersync-console-bench",
            dependencies: [
                "UserSyncSimulator", "UserSyncTestSupport", "UserSyncPersistence", "UserSyncDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Measures the JSON API's cost per request through real `usersync serve` and `work` processes and prints figures as JSON.
        .executableTarget(
            name: "usersync-api-bench",
            dependencies: [
                "UserSyncSimulator", "UserSyncTestSupport", "UserSyncPersistence", "UserSyncDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Measures the cross-platform message relay through real `usersync serve` and `work` processes and prints figures as JSON.
        .executableTarget(
            name: "usersync-relay-bench",
            dependencies: [
                "UserSyncSimulator", "UserSyncTestSupport", "UserSyncDomain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The job queue: the Postgres job table, enqueue in the caller's transaction, claims, leases.
        .target(
            name: "UserSyncJobs",
            dependencies: [
                "UserSyncDomain", "UserSyncPersistence",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The worker: handlers by kind, the processor, the lease reaper and retention, as services.
        .target(
            name: "UserSyncWorker",
            dependencies: [
                "UserSyncDomain", "UserSyncPersistence", "UserSyncJobs",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Measures the job queue against a real PostgreSQL and prints figures as JSON.
        .executableTarget(
            name: "usersync-queue-bench",
            dependencies: [
                "UserSyncJobs", "UserSyncWorker", "UserSyncPersistence", "UserSyncTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Use cases that combine persistence, the job queue and the connectors: the Connect
        // Center, imports, people and syncs. The API and the worker both run them.
        .target(
            name: "UserSyncUseCases",
            dependencies: [
                "UserSyncDomain", "UserSyncSecrets", "UserSyncPersistence", "UserSyncJobs", "UserSyncConnectors",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The HTTP API (Hummingbird 2).
        .target(
            name: "UserSyncAPI",
            dependencies: [
                "UserSyncDomain",
                "UserSyncSecrets",
                "UserSyncPersistence",
                "UserSyncJobs",
                "UserSyncUseCases",
                "UserSyncConnectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Console/Templates"), .copy("Console/Static"), .copy("OpenAPI")],
            swiftSettings: strict
        ),
        // Composition root: configuration, service groups, subcommands.
        .target(
            name: "UserSyncCLI",
            dependencies: [
                "UserSyncDomain",
                "UserSyncSecrets",
                "UserSyncPersistence",
                "UserSyncAPI",
                "UserSyncJobs",
                "UserSyncWorker",
                "UserSyncUseCases",
                "UserSyncConnectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "usersync", dependencies: ["UserSyncCLI"], swiftSettings: strict),

        // Test support: per-test databases cloned from a migrated template, and connections to a
        // running simulator. Never linked into `usersync`.
        .target(
            name: "UserSyncTestSupport",
            dependencies: [
                "UserSyncPersistence", "UserSyncConnectors", "UserSyncSimulator", "UserSyncUseCases", "UserSyncWorker",
                "UserSyncJobs", "UserSyncSecrets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Swift Testing helpers shared by the test targets (only they link it).
        .target(name: "UserSyncTesting", swiftSettings: strict),
        .testTarget(name: "UserSyncDomainTests", dependencies: ["UserSyncDomain", "UserSyncSecrets"], swiftSettings: strict),
        .testTarget(
            name: "UserSyncPersistenceTests",
            dependencies: ["UserSyncPersistence", "UserSyncTestSupport", "UserSyncTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UserSyncAPITests",
            dependencies: [
                "UserSyncAPI", "UserSyncCLI", "UserSyncTestSupport", "UserSyncTesting", "UserSyncUseCases", "UserSyncWorker", "UserSyncSimulator",
                "UserSyncConnectors", "UserSyncJobs",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UserSyncConnectorTests",
            dependencies: [
                "UserSyncConnectors", "UserSyncSimulator", "UserSyncTestSupport", "UserSyncTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UserSyncJobsTests",
            dependencies: [
                "UserSyncJobs", "UserSyncWorker", "UserSyncPersistence", "UserSyncTestSupport", "UserSyncTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UserSyncCLITests",
            dependencies: [
                "UserSyncCLI", "UserSyncTestSupport", "UserSyncTesting", "UserSyncJobs", "UserSyncUseCases", "UserSyncSimulator", "UserSyncConnectors", "UserSyncSecrets",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
