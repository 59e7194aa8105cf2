import HTTPTypes
import Hummingbird
import Synchronization

/// The routes the router serves, as (method, template) pairs: used to answer 405 with the allowed
/// methods, and by the test that holds the OpenAPI document to the router.
public struct RouteTable: Sendable {
    public struct Route: Sendable, Hashable {
        public let method: HTTPRequest.Method
        /// OpenAPI form: `/v1/orgs/{org}`.
        public let path: String
    }

    public let routes: [Route]

    public init<Context: RequestContext>(_ descriptions: [Router<Context>.RouteDescription]) {
        self.routes = descriptions.map { Route(method: $0.method, path: Self.openAPIPath("\($0.path)")) }
    }

    /// The methods of the route that `path` matches, as the router matches it: where several
    /// templates fit (`/people/actions` and `/people/{person_id}`), a literal segment wins over a
    /// parameter, from the left.
    func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        let segments = Self.segments(path)
        let matching = routes.filter { route in
            let template = Self.segments(route.path)
            return template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        guard let matched = matching.map(\.path).max(by: Self.isLessSpecific) else { return [] }
        return matching.filter { $0.path == matched }.map(\.method).sorted { $0.rawValue < $1.rawValue }
    }

    /// Whether template `a` gives way to `b`: at the first segment where one is a parameter and
    /// the other is not, `a` has the parameter.
    static func isLessSpecific(_ a: String, _ b: String) -> Bool {
        for (x, y) in zip(segments(a), segments(b)) where x.hasPrefix("{") != y.hasPrefix("{") {
            return x.hasPrefix("{")
        }
        return false
    }

    static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// Hummingbird prints captures as `:name` or `{name}`; OpenAPI writes `{name}`.
    static func openAPIPath(_ path: String) -> String {
        "/" + segments(path).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}

/// Holds the route table for middleware built before the routes it describes were added.
final class RouteTableBox: Sendable {
    private let table = Mutex(RouteTable([Router<AppRequestContext>.RouteDescription]()))

    func set(_ routes: RouteTable) { table.withLock { $0 = routes } }

    func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        table.withLock { $0.allowedMethods(forPath: path) }
    }
}
