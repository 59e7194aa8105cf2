import Foundation
import UserSyncDomain

/// Zoom's error reading: status first, then the numeric `code` (API) or OAuth `error`.
enum ZoomErrors {
    static func classify(_ response: PlatformResponse, _ request: PlatformRequest) -> PlatformFailure? {
        guard !(200..<300).contains(response.status) else { return nil }
        let body = try? JSONDecoder().decode(ZoomErrorBody.self, from: response.data)
        let code = body?.code?.value
        let userToken = request.credential == .user
        let cause: PlatformFailure.Cause
        switch (response.status, code, body?.error) {
        case (429, _, _):
            cause = .rateLimited
        case (500..., _, _):
            cause = .platformUnavailable
        case (_, _, "invalid_grant"?):
            cause = userToken ? .userAuthorizationRejected : .credentialsRejected
        case (_, _, "invalid_client"?), (_, _, "unauthorized_client"?):
            cause = .credentialsRejected
        case (_, _, "invalid_request"?) where request.endpoint == "token" && !userToken:
            cause = .credentialsRejected
        case (_, 4700?, _), (_, 4701?, _), (_, 4711?, _), (403, _, _):
            cause = .permissionMissing
        case (401, _, _), (_, 124?, _):
            cause = userToken ? .userAuthorizationRejected : .credentialsRejected
        case (404, _, _), (_, 1001?, _), (_, 1010?, _):
            cause = .targetNotFound
        default:
            cause = .requestRejected
        }
        let platformCode = code.map(String.init) ?? body?.error ?? "http_\(response.status)"
        let detail = (body?.message ?? body?.reason).map { ": \($0)" } ?? ""
        return PlatformFailure(
            cause, platform: .zoom, platformCode: platformCode,
            message: "Zoom refused \(request.endpoint) (HTTP \(response.status))\(detail)",
            httpStatus: response.status, retryAt: RetryAfter.parse(response.headers))
    }
}
