import Foundation
import Hummingbird

extension GraphSimulator {
    // MARK: Errors

    /// Graph's error body: `{"error":{"code","message","innerError":{"date","request-id"}}}`.
    static func errorBody(_ code: String, _ message: String) -> [String: AnyCodable] {
        [
            "error": .object([
                "code": .string(code), "message": .string(message),
                "innerError": .object([
                    "date": .string(ISO8601DateFormatter().string(from: Date())), "request-id": .string(UUID().uuidString.lowercased()),
                ]),
            ])
        ]
    }

    static func render(_ error: SimError) -> SimReply {
        let body = errorBody
        switch error {
        case .rateLimited(let retryAfter):
            return SimHTTP.json(
                body("TooManyRequests", "Too many requests for this application in this tenant. Please try again later."),
                status: .tooManyRequests, headers: SimHTTP.retryAfterHeaders(retryAfter))
        case .unavailable(let status):
            return SimHTTP.json(body("serviceNotAvailable", "The service is temporarily unavailable."), status: .init(code: status))
        case .unauthorized(let failure):
            let message = failure == .expired ? "Access token has expired or is not yet valid." : "Access token validation failure."
            return SimHTTP.json(body("InvalidAuthenticationToken", message), status: .unauthorized)
        case .forbidden(let code, let message):
            return SimHTTP.json(body(code, message), status: .forbidden)
        case .notFound(let code, let message):
            return SimHTTP.json(body(code, message), status: .notFound)
        case .badRequest(let code, let message):
            return SimHTTP.json(body(code, message), status: .badRequest)
        case .conflict(let code, let message):
            return SimHTTP.json(body(code, message), status: .conflict)
        }
    }

    /// The identity platform's own error shape: `error`, `error_description`, `error_codes`.
    static func renderIdentity(_ error: SimError) -> SimReply {
        func body(_ code: String, _ description: String) -> [String: AnyCodable] {
            [
                "error": .string(code), "error_description": .string(description),
                "error_codes": .array([.int(Int(description.dropFirst(6).prefix { $0.isNumber }) ?? 0)]),
                "trace_id": .string(UUID().uuidString.lowercased()),
            ]
        }
        switch error {
        case .rateLimited(let retryAfter):
            return SimHTTP.json(
                body("temporarily_unavailable", "AADSTS50196: Too many requests."), status: .tooManyRequests,
                headers: SimHTTP.retryAfterHeaders(retryAfter))
        case .unavailable(let status):
            return SimHTTP.json(body("temporarily_unavailable", "AADSTS90033: A transient error has occurred."), status: .init(code: status))
        case .unauthorized:
            return SimHTTP.json(body("invalid_client", "AADSTS7000215: Invalid client secret provided."), status: .unauthorized)
        case .forbidden(let code, let message), .notFound(let code, let message), .badRequest(let code, let message),
            .conflict(let code, let message):
            return SimHTTP.json(body(code, message), status: .badRequest)
        }
    }
}
