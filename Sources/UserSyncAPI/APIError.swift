import Foundation
import HTTPTypes
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
