import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// The Connect Center's pages: each platform with its connections and their health; connect,
/// rotate credentials, verify now and disconnect. They call the same ``ConnectCenter`` the JSON
/// API calls.
struct ConsoleConnectRoutes {
    let center: ConnectCenter
    let renderer: ConsoleRenderer

    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("", use: home)
        console.get("**", use: notFound)
        console.get("connect", use: overview)
        console.get("connect/{platform}", use: connectForm)
        console.post("connect/{platform}", use: connect)
        console.get("connections/{connection_id}", use: connection)
        console.post("connections/{connection_id}", use: update)
        console.post("connections/{connection_id}/verify", use: verify)
        console.get("connections/{connection_id}/disconnect", use: confirmDisconnect)
        console.post("connections/{connection_id}/disconnect", use: disconnect)
    }

    /// The organization's first page: the Connect Center until two platforms are connected, then Sync users.
    @Sendable func home(_ request: Request, context: ConsoleContext) async throws -> Response {
        let all = try await center.list(context.organization, includeDisconnected: false, logger: context.logger)
        let base = "/console/\(context.identity.organization.slug.rawValue)"
        return ConsoleOrganizationMiddleware.redirect(Self.connectedPlatforms(all) < 2 ? "\(base)/connect" : "\(base)/people")
    }

    /// A console path that is no page: the console's own 404, in its chrome.
    @Sendable func notFound(_ request: Request, context: ConsoleContext) async throws -> Response {
        throw DomainError.notFound(resource: "page")
    }

    static func connectedPlatforms(_ overviews: [ConnectCenter.Overview]) -> Int {
        Set(overviews.filter { $0.connection.health == .connected }.map(\.connection.platform)).count
    }

    /// Said on User Sync pages while fewer than two platforms are connected.
    static func missingPlatforms(_ overviews: [ConnectCenter.Overview]) -> String? {
        switch connectedPlatforms(overviews) {
        case 0:
            "No platform is connected yet. Connect at least two platforms in the Connect Center: User Sync makes people reachable from one platform on another."
        case 1: "Only one platform is connected. Connect a second one in the Connect Center before syncing people: User Sync needs at least two."
        default: nil
        }
    }

    // MARK: Parameters

    static func platform(_ context: ConsoleContext) throws -> Platform {
        guard let platform = Platform(rawValue: context.parameters.get("platform") ?? "") else { throw DomainError.notFound(resource: "platform") }
        return platform
    }

    static func connectionID(_ context: ConsoleContext) throws -> ConnectionID {
        guard let id = context.parameters.get("connection_id").flatMap(ConnectionID.init) else { throw DomainError.notFound(resource: "connection") }
        return id
    }
}
