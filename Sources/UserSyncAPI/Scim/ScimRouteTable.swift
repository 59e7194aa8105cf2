import HTTPTypes
import Hummingbird
import Synchronization

/// The SCIM router's routes as (method, template), to answer a 405 with the methods a path takes.
final class ScimRouteTable: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, template: [Substring])]>([])

    func set(_ descriptions: [Router<ScimRequestContext>.RouteDescription]) {
        let routes = descriptions.map { (method: $0.method, template: RouteTable.segments(RouteTable.openAPIPath("\($0.path)"))) }
        self.routes.withLock { $0 = routes }
    }

    func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        let segments = RouteTable.segments(path)
        return routes.withLock { routes in
            routes.filter { route in
                route.template.count == segments.count && zip(route.template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }.map(\.method)
        }.sorted { $0.rawValue < $1.rawValue }
    }
}
