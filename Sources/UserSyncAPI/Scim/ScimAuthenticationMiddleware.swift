import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// Admits a request to `/scim/v2/{org}/…` with a live SCIM token of that organization. It runs
/// for unknown SCIM routes too, so that nobody without a token learns which routes exist.
struct ScimAuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let access: ScimAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw ScimError.unauthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { throw ScimError.unauthenticated }
        // Not from the route's parameters: an unknown route has none.
        let segments = request.uri.path.split(separator: "/")
        guard segments.count >= 3, let reference = String(segments[2]).removingPercentEncoding,
              let (organization, token) = try await access.admit(String(parts[1]), reference: reference, logger: context.logger)
        else { throw ScimError.unauthenticated }
        var context = context
        context.organization = organization
        context.logger[metadataKey: "org_id"] = .string(organization.id.description)
        context.logger[metadataKey: "scim_token_id"] = .string(token.id.description)
        return try await next(request, context)
    }
}
