import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import Prometheus
import UserSyncAPI
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

/// A failure a command reports as one readable line and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible, LocalizedError {
    let description: String
    var errorDescription: String? { description }
}

enum CommandSupport {
    /// The process's logger at `USERSYNC_LOG_LEVEL` (`info` when unset); a level that is not one
    /// of swift-log's stops the command, naming the variable.
    static func logger(_ reader: EnvironmentReader, label: String = "usersync") throws -> Logger {
        var logger = Logger(label: label)
        guard let raw = reader.raw(.logLevel) else { return logger }
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure(
                description: ConfigurationError(problems: ["\(ConfigurationKey.logLevel.rawValue) must be one of \(levels)"]).description)
        }
        logger.logLevel = level
        return logger
    }

    /// Process-wide logging (to standard error, at `USERSYNC_LOG_LEVEL`) and Prometheus metrics,
    /// for the long-running roles. Returns the process's logger, made through the bootstrapped
    /// handler, and the registry `/metrics` renders.
    static func bootstrapObservability(_ reader: EnvironmentReader, label: String) throws -> (Logger, PrometheusCollectorRegistry) {
        let level = try logger(reader, label: label).logLevel
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(writingWith: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return (Logger(label: label), registry)
    }

    /// The OpenID Connect clients of the providers the operator set up for console sign-in.
    static func signInProviders(_ console: ConsoleConfiguration, logger: Logger) -> [OpenIDClient] {
        var providers: [OpenIDClient] = []
        if let slack = console.slack {
            providers.append(
                OpenIDClient(
                    settings: .slack(clientID: slack.clientID, clientSecret: slack.clientSecret, issuer: slack.issuer), client: .shared,
                    logger: logger))
        }
        if let microsoft = console.microsoft {
            providers.append(
                OpenIDClient(
                    settings: .microsoft(clientID: microsoft.clientID, clientSecret: microsoft.clientSecret, authority: microsoft.authority),
                    client: .shared, logger: logger))
        }
        return providers
    }

    /// Runs an operations command against the service database, with errors as readable lines.
    static func withDatabase<Result: Sendable>(
        _ options: GlobalOptions, _ body: @Sendable (Database, Logger) async throws -> Result
    ) async throws -> Result {
        var reader = try options.reader()
        let settings = DatabaseSettings.service(&reader)
        try reader.validate()
        var quiet = try logger(reader)
        quiet.logLevel = max(quiet.logLevel, .warning)
        let logger = quiet
        return try await reporting {
            try await Database.withRunning(url: settings!.url, logger: logger) { database in
                try await body(database, logger)
            }
        }
    }

    /// Turns known errors into one-line messages; unknown ones keep their full description.
    static func reporting<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as DomainError {
            throw CommandFailure(description: message(error))
        } catch let error as ConfigurationError {
            throw CommandFailure(description: error.description)
        } catch let error as MigrationError {
            throw CommandFailure(description: error.description)
        } catch let error as ServiceRole.Violation {
            throw CommandFailure(description: error.description)
        }
    }

    static func message(_ error: DomainError) -> String {
        switch error {
        case .notFound(let resource): "no such \(resource.replacingOccurrences(of: "_", with: " "))"
        case .conflict(_, let message), .badReference(_, let message), .forbidden(let message), .unauthenticated(let message): message
        case .validation(let errors): errors.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }.joined(separator: " ")
        }
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = APIJSON.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}

extension Date {
    var iso8601: String { ISO8601DateFormatter().string(from: self) }
}
