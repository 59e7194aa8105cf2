import Foundation

/// The OpenAPI 3.1 description of the API: the checked-in file `OpenAPI/openapi.json`, served as
/// is at `/openapi.json`. It is the contract, edited by hand beside the routes it describes; a
/// test fails when a route exists that the document does not describe or the reverse, and CI
/// fuzzes the running server from it (docs/decisions.md says why a file, not generated code).
struct OpenAPIDocument: Sendable {
    /// The file's bytes, exactly.
    let data: Data

    /// Reads the document from the target's resources; refuses one that is not JSON.
    static func load() throws -> OpenAPIDocument {
        let file = try APIResources.directory().appendingPathComponent("OpenAPI/openapi.json")
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw APIResourceError(description: "the OpenAPI document (\(file.path)) cannot be read: \(error)")
        }
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw APIResourceError(description: "the OpenAPI document (\(file.path)) is not a JSON object")
        }
        return OpenAPIDocument(data: data)
    }
}
