import Foundation
import HTTPTypes
import Hummingbird
import Logging
import UserSyncDomain
import UserSyncUseCases

/// An error the API answers with as RFC 9457 problem details. Domain errors are mapped to this in
/// one place (``APIError/init(_:)``).
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    public var headers: HTTPFields
    /// Problem-specific members beside the standard ones (RFC 9457 §3.2).
    public var extensions: [String: String]

    public init(
        _ status: HTTPResponse.Status, code: String, title: String, detail: String, errors: [FieldError] = [], headers: HTTPFields = [:],
        extensions: [String: String] = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extensions = extensions
    }

    public init(_ error: DomainError) {
        switch error {
        case .notFound(let resource):
            let name = resource.replacingOccurrences(of: "_", with: " ")
            self.init(.notFound, code: "\(resource)_not_found", title: "Not found", detail: "No such \(name).")
        case .conflict(let code, let message):
            self.init(.conflict, code: code, title: "Conflict", detail: message)
        case .validation(let errors):
            self.init(
                .unprocessableContent, code: "validation_failed", title: "Invalid request",
                detail: errors.map(\.message).joined(separator: " "), errors: errors)
        case .badReference(let code, let message):
            self.init(.badRequest, code: code, title: "Bad request", detail: message)
        case .forbidden(let message):
            self.init(.forbidden, code: "forbidden", title: "Forbidden", detail: message)
        case .unauthenticated(let message):
            self.init(
                .unauthorized, code: "unauthenticated", title: "Unauthenticated", detail: message,
                headers: [.wwwAuthenticate: "Bearer realm=\"usersync\""])
        }
    }

    /// A platform refused or failed a call made on the caller's behalf. What only an admin or
    /// nobody can fix is a 422 named after the cause, with the platform's own words; a platform
    /// that is down is a 502, one that rate-limits a 503 with `Retry-After`.
    public init(_ failure: PlatformFailure) {
        var detail = "\(failure.platform.displayName) answered: \(failure.message)"
        if let code = failure.platformCode { detail += " (\(code))" }
        switch failure.cause {
        case .rateLimited:
            let seconds = max(1, Int((failure.retryAt?.timeIntervalSinceNow ?? 30).rounded(.up)))
            self.init(
                .serviceUnavailable, code: "platform_rate_limited", title: "Platform rate limit", detail: detail,
                headers: [.retryAfter: "\(seconds)"])
        case .platformUnavailable, .malformedResponse:
            self.init(.badGateway, code: "platform_unavailable", title: "Platform unavailable", detail: detail)
        default:
            self.init(.unprocessableContent, code: failure.cause.rawValue, title: "Refused by the platform", detail: detail)
        }
    }

    /// Any error as the API answers it: the product's errors by their meaning, client mistakes
    /// the framework found as 4xx, and everything else as a 500 that says nothing of its cause
    /// (logged in full).
    static func from(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as DomainError: return APIError(error)
        case let error as PlatformFailure: return APIError(error)
        case let error as RepromptThrottled: return APIError(error)
        case let error as ConcurrentChange:
            logger.notice("a concurrent change undid the request's work", metadata: ["error": .string(error.description)])
            return APIError(
                .serviceUnavailable, code: "concurrent_change", title: "Concurrent change",
                detail: "The request met a concurrent change to the same data and nothing of it was applied. Send it again.",
                headers: [.retryAfter: "1"])
        case let error as RateLimitExceeded:
            return APIError(
                .tooManyRequests, code: "rate_limited", title: "Too many requests", detail: error.detail,
                headers: [.retryAfter: "\(error.retryAfter)"])
        case let error as any HTTPResponseError where error.status.code < 500:
            let reason = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            return APIError(error.status, code: "bad_request", title: error.status.reasonPhrase, detail: reason)
        default:
            logger.error("unhandled error", metadata: ["error": .string(String(reflecting: error))])
            return APIError(
                .internalServerError, code: "internal_error", title: "Internal error",
                detail: "Something went wrong on our side. Quote the request id when reporting it.")
        }
    }

    /// A reprompt asked for before the interval since the last prompt has passed.
    init(_ throttled: RepromptThrottled) {
        let seconds = max(1, Int(throttled.nextAllowedAt.timeIntervalSinceNow.rounded(.up)))
        let when = ISO8601DateFormatter().string(from: throttled.nextAllowedAt)
        self.init(
            .tooManyRequests, code: "reprompt_throttled", title: "Prompted recently",
            detail: "This person was prompted recently; the next prompt is allowed at \(when). Send {\"force\": true} to prompt now anyway.",
            headers: [.retryAfter: "\(seconds)"], extensions: ["next_prompt_allowed_at": when])
    }

    static func badRequest(_ code: String, _ detail: String) -> APIError {
        APIError(.badRequest, code: code, title: "Bad request", detail: detail)
    }
}
