import Hummingbird
import UserSyncPersistence
import UserSyncUseCases

/// The SCIM 2.0 service provider (RFC 7643/7644) that an organization's identity provider (Entra
/// ID provisioning, Okta) pushes users and groups to, at `/scim/v2/{org}` (slug or id).
///
/// It has a router of its own, entered from the main router's middleware for paths under
/// `/scim/v2`, because SCIM differs from `/v1` in everything the main router's layers decide:
/// the credential (a SCIM token, never an API key), the error shape (RFC 7644 §3.12, never
/// problem details), the media type, and what an unknown route or method answers. Added after
/// the main routes, it only ever sees requests none of them matched; request ids, logging,
/// metrics (labelled by the SCIM route template) and the body limit still come from the main
/// router's layers around it.
struct ScimEndpoint: RouterMiddleware {
    typealias Context = AppRequestContext

    static let prefix = "/scim/v2"
    private let responder: RouterResponder<ScimRequestContext>

    init(database: Database, publicURL: String, rateLimiter: RequestRateLimiter?) {
        let locations = ScimLocations(publicURL: publicURL)
        let access = ScimAccess(database: database)
        let router = Router(context: ScimRequestContext.self)
        let table = RouteTableBox()
        router.add(middleware: ScimErrorMiddleware(routes: table))
        router.add(middleware: ScimAuthenticationMiddleware(access: access, rateLimiter: rateLimiter))
        let scim = router.group("scim/v2/{org}").group(context: ScimTenantContext.self)
        ScimDiscoveryRoutes(access: access, locations: locations).addRoutes(to: scim)
        ScimUserRoutes(users: ScimUsers(database: database), locations: locations).addRoutes(to: scim)
        ScimGroupRoutes(groups: ScimGroups(database: database), locations: locations).addRoutes(to: scim)
        table.set(RouteTable(router.routes))
        responder = router.buildResponder()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == Self.prefix || path.hasPrefix(Self.prefix + "/") else { return try await next(request, context) }
        return try await responder.respond(to: request, context: ScimRequestContext(context))
    }
}
