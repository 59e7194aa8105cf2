import Foundation

/// Why a call to a chat platform failed, classified the same way for every platform, so the
/// service can decide who fixes it: the admin (reconnect, grant a permission), the user
/// (re-authorize), nobody (record it), or time (retry).
public struct PlatformFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Cause: String, Sendable, Codable, CaseIterable {
        /// The connection's app credentials were revoked, expired or never valid.
        case credentialsRejected = "credentials_rejected"
        /// The app lacks a scope or permission the call needs.
        case permissionMissing = "permission_missing"
        /// A user's own token (from consent) was revoked or expired and cannot be refreshed.
        case userAuthorizationRejected = "user_authorization_rejected"
        /// The target account does not exist on the platform.
        case targetNotFound = "target_not_found"
        /// The target account exists but is deactivated, or blocks the app.
        case targetUnavailable = "target_unavailable"
        /// The platform asked us to slow down; `retryAt` says until when.
        case rateLimited = "rate_limited"
        /// 5xx, timeouts and connection errors.
        case platformUnavailable = "platform_unavailable"
        /// The platform answered with something we could not read.
        case malformedResponse = "malformed_response"
        /// Any other refusal; the platform's own code and message are kept.
        case requestRejected = "request_rejected"
        /// The URL names a host the operator does not allow, or one inside the network: the
        /// admin changes the connection's base URL (or the operator the allowlist).
        case destinationRefused = "destination_refused"
        /// The platform has no such capability (e.g. virtual accounts on Zoom).
        case notSupported = "not_supported"
    }

    /// Who can make the failed call succeed.
    public enum Fixer: String, Sendable, Codable {
        /// An admin must reconnect the platform or grant a permission.
        case admin
        /// The person must authorize again.
        case user
        /// Nobody: the failure is a fact to record (e.g. the user is gone).
        case nobody
        /// Time: the same call is expected to succeed later.
        case retry
    }

    public var cause: Cause
    public var platform: Platform
    /// The platform's own error code (`invalid_auth`, `Authorization_RequestDenied`, `124`…).
    public var platformCode: String?
    /// A readable message: the platform's own where it gave one. Never contains a token.
    public var message: String
    /// The HTTP status, when there was a response.
    public var httpStatus: Int?
    /// For `rateLimited`: when the platform allows the next call.
    public var retryAt: Date?

    public init(
        _ cause: Cause, platform: Platform, platformCode: String? = nil, message: String,
        httpStatus: Int? = nil, retryAt: Date? = nil
    ) {
        self.cause = cause
        self.platform = platform
        self.platformCode = platformCode
        self.message = message
        self.httpStatus = httpStatus
        self.retryAt = retryAt
    }

    public var fixer: Fixer { cause.fixer }

    /// Whether retrying the same call later may succeed without anyone acting.
    public var isRetryable: Bool { fixer == .retry }

    public var description: String {
        var text = "\(platform.rawValue) \(cause.rawValue)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let platformCode { text += " [\(platformCode)]" }
        return text + ": \(message)"
    }
}

extension PlatformFailure.Cause {
    /// Who can make a call that failed this way succeed.
    public var fixer: PlatformFailure.Fixer {
        switch self {
        case .credentialsRejected, .permissionMissing, .destinationRefused: .admin
        case .userAuthorizationRejected: .user
        case .targetNotFound, .targetUnavailable, .requestRejected, .notSupported: .nobody
        case .rateLimited, .platformUnavailable, .malformedResponse: .retry
        }
    }
}
