import Hummingbird
import Logging
import UserSyncDomain
import UserSyncUseCases

/// The one place SCIM failures become responses: every error under `/scim/v2` is sent as a
/// SCIM error message (RFC 7644 §3.12), never as the API's problem details, since Entra and Okta
/// read `status` and `scimType` from the body to decide whether to retry, skip or quarantine.
/// A path no SCIM route serves is a 404, or a 405 naming the methods it takes.
struct ScimErrorMiddleware: RouterMiddleware {
    typealias Context = ScimRequestContext

    let routes: RouteTableBox

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (failure, mapped) = map(error, request: request, context: context)
            var headers = mapped
            if failure.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
            return Response.scim(failure, headers: headers)
        }
    }

    private func map(_ error: any Error, request: Request, context: Context) -> (ScimError, HTTPFields) {
        switch error {
        case let error as ScimError:
            return (error, [:])
        case let error as DomainError:
            return (ScimError(error), [:])
        case let error as RateLimitExceeded:
            return (ScimError(status: 429, detail: error.detail), [.retryAfter: "\(error.retryAfter)"])
        case let error as HTTPError where error.status == .notFound:
            let allowed = routes.allowedMethods(forPath: request.uri.path)
            guard !allowed.isEmpty else { return (.notFound("No SCIM resource at \(request.uri.path)."), [:]) }
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            return (ScimError(status: 405, detail: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(list)."), [.allow: list])
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            return (.payloadTooLarge(maxBytes: context.bodyLimit), [:])
        case let error as any HTTPResponseError where error.status.code < 500:
            return (ScimError(status: error.status.code, detail: (error as? HTTPError)?.body ?? error.status.reasonPhrase), [:])
        default:
            context.logger.error("unhandled SCIM error", metadata: ["error": .string(String(reflecting: error))])
            return (.internalError, [:])
        }
    }
}
