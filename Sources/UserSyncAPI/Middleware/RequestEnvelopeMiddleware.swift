import Foundation
import Hummingbird
import Logging
import UserSyncDomain
import UserSyncUseCases

/// The outermost layer of every request: gives it an id (the caller's `X-Request-Id` when it is
/// sane), puts the id on every log line and on the response, enforces the body limit, and turns
/// every error into problem details — the one place errors become HTTP.
struct RequestEnvelopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let bodyLimit: Int
    let routes: RouteTableBox

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = Self.requestID(from: request) ?? UUID().lowercasedText
        context.requestID = requestID
        context.bodyLimit = bodyLimit
        context.logger[metadataKey: "hb.request.id"] = .string(requestID)
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let started = ContinuousClock.now

        var response: Response
        do {
            // The SCIM endpoint limits its own bodies and answers in SCIM's error shape.
            if !request.uri.path.hasPrefix("/scim/"), let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit {
                throw APIError.bodyTooLarge(limit: bodyLimit)
            }
            response = try await next(request, context)
        } catch {
            let apiError = map(error, request: request, logger: context.logger)
            response = ProblemDetails(apiError, requestID: requestID).response(headers: apiError.headers)
        }
        response.headers[.init("X-Request-Id")!] = requestID
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(context.endpointPath ?? "unmatched"),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible((ContinuousClock.now - started).milliseconds),
            ])
        return response
    }

    private func map(_ error: any Error, request: Request, logger: Logger) -> APIError {
        if let error = error as? HTTPError, error.status == .notFound {
            // The router found no route. If the path exists with other methods it is a 405.
            let allowed = routes.allowedMethods(forPath: request.uri.path)
            if !allowed.isEmpty {
                let list = allowed.map(\.rawValue).joined(separator: ", ")
                return APIError(
                    .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                    detail: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(list).",
                    headers: [.allow: list])
            }
            return APIError(.notFound, code: "route_not_found", title: "Not found", detail: "No route matches \(request.uri.path).")
        }
        if case .contentTooLarge = (error as? any HTTPResponseError)?.status { return .bodyTooLarge(limit: bodyLimit) }
        return APIError.from(error, logger: logger)
    }

    /// Accepts a caller's id of up to 128 characters of letters, digits, `-`, `_`, `.`, `:`.
    static func requestID(from request: Request) -> String? {
        guard let value = request.headers[.init("X-Request-Id")!], (1...128).contains(value.count),
            value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) })
        else { return nil }
        return value
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
