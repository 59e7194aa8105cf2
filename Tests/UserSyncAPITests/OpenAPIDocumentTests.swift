import Foundation
import Testing
import UserSyncAPI
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence
import UserSyncTestSupport
import UserSyncUseCases

/// The served OpenAPI document and the router describe the same routes, both ways.
@Suite struct OpenAPIDocumentTests {
    /// The document's version and, for each path, the names of its item's fields (methods among them).
    struct Outline: Decodable {
        struct PathItem: Decodable {
            struct Name: CodingKey {
                let stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }

            let keys: Set<String>
            init(from decoder: any Decoder) throws { keys = Set(try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue)) }
        }

        let openapi: String
        let paths: [String: PathItem]
    }

    @Test func documentAndRouterAgree() async throws {
        try await withAPI { api in
            let reply = try await api.call(.get, "/openapi.json", token: nil)
            #expect(reply.status == .ok)
            let outline = try reply.decode(Outline.self)
            #expect(outline.openapi == "3.1.0")
            let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
            let documented = Set(
                outline.paths.flatMap { path, item in
                    item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
                })
            let routed = Set(try Self.routes().map { "\($0.method.rawValue) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "routes the document does not describe: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented operations no route serves: \(documented.subtracting(routed).sorted())")
        }
    }

    struct Document: Decodable {
        struct Components: Decodable { let schemas: [String: Schema] }
        struct Schema: Decodable { let `enum`: [String]? }
        let components: Components
    }

    /// The document lists exactly the codes the domain has: a cause added in code is documented.
    @Test func enumsAreTheDomains() async throws {
        try await withAPI { api in
            let document = try await api.call(.get, "/openapi.json", token: nil).decode(Document.self)
            #expect(document.components.schemas["SyncCause"]?.enum == SyncCause.allCases.map(\.rawValue))
            #expect(document.components.schemas["RelayState"]?.enum == RelayState.allCases.map(\.rawValue))
        }
    }

    static func routes() throws -> [RouteTable.Route] {
        let dependencies = APIDependencies(
            database: Database(url: try DatabaseURL("postgres://nobody@localhost/none"), poolSize: 1, logger: TestEnvironment.logger),
            migrator: Migrator(files: []), metrics: sharedMetrics, operatorToken: operatorToken, maxBodyBytes: 1024,
            connectors: ConnectorAccess(
                factory: ConnectorFactory(logger: TestEnvironment.logger), secrets: TestSecrets.box),
            sync: testSyncSettings())
        // The console's pages are HTML for browsers, not part of the JSON API the document describes.
        return RouteTable(try buildRouter(dependencies).routes).routes.filter { !$0.path.hasPrefix("/console") }
    }
}
