import Foundation
import UserSyncDomain

/// Slack's error reading: HTTP 429 and 5xx by status, everything else by the `error` code of an
/// `ok:false` body, which Slack usually sends with HTTP 200.
enum SlackErrors {
    static func classify(_ response: PlatformResponse, _ request: PlatformRequest) -> PlatformFailure? {
        switch response.status {
        case 200..<300:
            return nil
        case 429:
            return PlatformFailure(
                .rateLimited, platform: .slack, platformCode: "ratelimited",
                message: "Slack rate-limited \(request.endpoint)", httpStatus: 429, retryAt: RetryAfter.parse(response.headers))
        case 500...:
            return PlatformFailure(
                .platformUnavailable, platform: .slack, message: "Slack answered \(request.endpoint) with HTTP \(response.status)",
                httpStatus: response.status, retryAt: RetryAfter.parse(response.headers))
        default:
            let body = try? JSONDecoder().decode(SlackError.self, from: response.data)
            return failure(
                code: body?.error ?? "http_\(response.status)", needed: body?.needed, request: request,
                status: response.status, retryAt: RetryAfter.parse(response.headers))
        }
    }

    /// The failure for an `ok:false` body.
    static func failure(
        code: String, needed: String?, request: PlatformRequest, status: Int, retryAt: Date? = nil
    ) -> PlatformFailure {
        let cause: PlatformFailure.Cause
        switch code {
        case "not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired",
            "org_login_required", "team_added_to_org", "ekm_access_denied", "invalid_refresh_token", "invalid_code":
            cause = request.credential == .user ? .userAuthorizationRejected : .credentialsRejected
        case "invalid_client_id", "bad_client_secret", "invalid_client":
            cause = .credentialsRejected
        case "missing_scope", "no_permission", "not_allowed_token_type", "plan_upgrade_required", "access_denied":
            cause = .permissionMissing
        case "user_not_found", "users_not_found", "channel_not_found", "message_not_found":
            cause = .targetNotFound
        case "user_disabled", "user_not_visible", "is_bot", "cannot_dm_bot", "messages_tab_disabled":
            cause = .targetUnavailable
        case "ratelimited", "rate_limited":
            cause = .rateLimited
        case "fatal_error", "internal_error", "request_timeout", "service_unavailable":
            cause = .platformUnavailable
        default:
            cause = .requestRejected
        }
        var message = "Slack refused \(request.endpoint): \(code)"
        if let needed { message += " (needs scope \(needed))" }
        return PlatformFailure(cause, platform: .slack, platformCode: code, message: message, httpStatus: status, retryAt: retryAt)
    }
}
