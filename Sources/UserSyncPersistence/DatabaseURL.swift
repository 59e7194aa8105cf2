import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…&host=/socket/dir` URL, as libpq
/// reads it. `sslmode` is `disable`, `prefer` (default), `require` (both without certificate
/// checks, as libpq does) or `verify-full`. A `host` query item names a Unix socket directory.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(_ text: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw .notAPostgresURL }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        self.socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        self.host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        self.port = components.port ?? Int(query["port"] ?? "") ?? 5432
        guard let user = components.user, !user.isEmpty else { throw .missingUser }
        self.username = user
        self.password = components.password
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw .missingDatabase }
        self.database = database
        self.sslMode = query["sslmode"] ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw .unsupportedSSLMode(sslMode)
        }
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The same server, another role (no password: local trust or a socket).
    public func with(username: String, password: String? = nil) -> DatabaseURL {
        var copy = self
        copy.username = username
        copy.password = password
        return copy
    }

    /// The pool's configuration; `applicationName` is what `pg_stat_activity` shows for its
    /// sessions (`usersync.serve`, `usersync.work`), so an operator can tell them apart.
    public func clientConfiguration(maximumConnections: Int = 20, applicationName: String? = nil) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username,
                password: password, database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = maximumConnections
        if let applicationName { configuration.options.additionalStartupParameters = [("application_name", applicationName)] }
        return configuration
    }

    private var tls: PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case "disable": return .disable
        case "verify-ca", "verify-full": return .require(tls)
        case "require":
            tls.certificateVerification = .none
            return .require(tls)
        default:
            tls.certificateVerification = .none
            return .prefer(tls)
        }
    }

    /// Never includes the password.
    public var description: String {
        "postgres://\(username)@\(socketDirectory ?? "\(host):\(port)")/\(database)"
    }
}

public enum DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAPostgresURL, missingUser, missingDatabase
    case unsupportedSSLMode(String)

    public var description: String {
        switch self {
        case .notAPostgresURL: "is not a postgres:// URL"
        case .missingUser: "names no user (postgres://USER@host/database)"
        case .missingDatabase: "names no database (postgres://user@host/DATABASE)"
        case .unsupportedSSLMode(let mode): "has sslmode=\(mode); use disable, prefer, require or verify-full"
        }
    }
}
