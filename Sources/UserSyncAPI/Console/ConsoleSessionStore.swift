import Foundation
import Hummingbird
import Logging
import UserSyncUseCases

/// hummingbird-auth's session storage backed by PostgreSQL through ``ConsoleSessions``: the
/// cookie's id is stored only as a SHA-256, sessions end when idle, at their absolute expiry, on
/// sign-out, and when their member or API key is revoked. Holds console sessions only.
struct ConsoleSessionStore: PersistDriver {
    let sessions: ConsoleSessions
    let logger: Logger

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await set(key: key, value: value, expires: expires)
    }

    /// The absolute expiry comes from the session's own sign-in time, so `expires` is not needed.
    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard let session = value as? ConsoleSession else { throw PersistError.invalidConversion }
        try await sessions.store(key: key, session, logger: logger)
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: Object.self)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let (session, remaining) = try await sessions.load(key: key, logger: logger) else { return nil }
        guard let object = session as? Object else { throw PersistError.invalidConversion }
        return (object, remaining)
    }

    func remove(key: String) async throws {
        try await sessions.end(key: key, logger: logger)
    }

    /// Nothing runs in the background: expired sessions are cleared as new ones begin.
    func run() async throws {}
}
