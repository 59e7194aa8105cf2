import Foundation
import UserSyncDomain

/// Webex's error reading: by status; the body's `message` and `trackingId` are kept for people.
enum WebexErrors {
    static func classify(_ response: PlatformResponse, _ request: PlatformRequest) -> PlatformFailure? {
        guard !(200..<300).contains(response.status) else { return nil }
        let body = try? JSONDecoder().decode(WebexErrorBody.self, from: response.data)
        let userToken = request.credential == .user
        let cause: PlatformFailure.Cause
        switch response.status {
        case 423, 429: cause = .rateLimited
        case 500...: cause = .platformUnavailable
        // The integration's own client id or secret is wrong: the admin's to fix, whoever asked.
        case 401 where request.endpoint == "access_token": cause = .credentialsRejected
        case 400 where userToken && request.endpoint == "access_token": cause = .userAuthorizationRejected
        case 401: cause = userToken ? .userAuthorizationRejected : .credentialsRejected
        case 403: cause = .permissionMissing
        case 404, 410: cause = .targetNotFound
        default: cause = .requestRejected
        }
        var message = "Webex refused \(request.endpoint) (HTTP \(response.status))"
        if let text = body?.message ?? body?.errors?.first?.description { message += ": \(text)" }
        if let tracking = body?.trackingId ?? response.headers.first(name: "trackingId") { message += " [trackingId \(tracking)]" }
        return PlatformFailure(
            cause, platform: .webex, platformCode: "http_\(response.status)", message: message,
            httpStatus: response.status, retryAt: RetryAfter.parse(response.headers))
    }
}
