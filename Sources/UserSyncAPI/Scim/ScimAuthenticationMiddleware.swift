import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// Admits a request to `/scim/v2/{org}/…` that presents a SCIM token of that organization. The
/// token is checked to be live (not revoked) in the transaction of the request's own read or
/// change; for a path no route serves, which reads nothing, it is checked here before the 404,
/// so that nobody without a live token learns anything, not even which routes exist.
struct ScimAuthenticationMiddleware: RouterMiddleware {
    typealias Context = ScimRequestContext

    let access: ScimAccess
    let rateLimiter: RequestRateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw ScimError.unauthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let caller = ScimCaller(bearer: String(parts[1])) else {
            throw ScimError.unauthenticated
        }
        // From the path, not the route's parameters: an unknown route has none.
        let segments = request.uri.path.split(separator: "/")
        guard segments.count >= 3, let reference = String(segments[2]).removingPercentEncoding,
            let organization = try await access.organization(caller, reference: reference, logger: context.logger)
        else { throw ScimError.unauthenticated }
        // Keyed by the token's hash, which only its holder can present.
        try rateLimiter?.admit("scim:\(caller.hashText)")
        var context = context
        context.caller = caller
        context.organization = organization
        context.logger[metadataKey: "org_id"] = .string(organization.id.description)
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            try await access.admit(caller, logger: context.logger)
            throw error
        }
    }
}
