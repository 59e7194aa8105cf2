import Foundation

/// The files the API serves or renders: the console's templates and static files, and the
/// OpenAPI document.
enum APIResources {
    /// The target's resource bundle, which SwiftPM puts beside the executable (and a deployment
    /// copies there with it). Looked up by hand rather than through `Bundle.module`, which stops
    /// the process when the bundle is missing instead of saying so.
    static func directory() throws -> URL {
        let name = "usersync_UserSyncAPI.resources"
        let candidates = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        for directory in candidates
        where FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent("OpenAPI").path) {
            return directory.appendingPathComponent(name)
        }
        throw APIResourceError(
            description:
                "the API's resources (\(name): console templates, static files, the OpenAPI document) are not beside the usersync binary; copy that folder with it"
        )
    }
}

/// A resource the API needs is missing or unreadable: the process cannot serve.
struct APIResourceError: Error, CustomStringConvertible {
    let description: String
}
