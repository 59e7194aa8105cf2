import Hummingbird
import UserSyncDomain
import UserSyncSecrets
import UserSyncUseCases

/// Resolves `Authorization: Bearer …` to the operator or to an organization API key. A missing,
/// malformed, unknown or revoked credential is a 401; nothing here says whether any organization
/// exists.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let operatorToken: String
    let administration: OrganizationAdministration
    /// Limits each API key's requests; the operator is never limited.
    let rateLimiter: RequestRateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw DomainError.unauthenticated(message: "Send an API key as 'Authorization: Bearer <key>'.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw DomainError.unauthenticated(message: "The Authorization header must be 'Bearer <key>'.")
        }
        let token = String(parts[1])
        var context = context
        if constantTimeEquals(token, operatorToken) {
            context.principal = .operator
        } else if let admitted = try await administration.admit(token: token, logger: context.logger) {
            let key = admitted.key
            try rateLimiter?.admit("key:\(key.id)")
            context.principal = .key(key, of: admitted.organization)
            context.logger[metadataKey: "org_id"] = .string(key.organizationID.description)
            context.logger[metadataKey: "api_key_id"] = .string(key.id.description)
        } else {
            throw DomainError.unauthenticated(message: "The API key is not valid, or has been revoked.")
        }
        return try await next(request, context)
    }
}

/// Admits a request to `/v1/orgs/{org}` when the organization exists and the principal belongs to
/// it. Another organization's key gets the same 404 as an organization that does not exist.
struct OrganizationAccessMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let administration: OrganizationAdministration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let reference = context.parameters.get("org") else { throw DomainError.notFound(resource: "organization") }
        var context = context
        switch context.principal {
        case .key(_, let organization):
            // Only the key's own organization, read when the key was admitted.
            guard reference == organization.slug.rawValue || OrganizationID(reference) == organization.id else {
                throw DomainError.notFound(resource: "organization")
            }
            context.organization = organization
        case .operator:
            context.organization = try await administration.organization(reference, logger: context.logger)
        case nil:
            throw DomainError.unauthenticated(message: "Send an API key as 'Authorization: Bearer <key>'.")
        }
        context.logger[metadataKey: "org_id"] = .string(context.organization!.id.description)
        return try await next(request, context)
    }
}
