import Foundation
import UserSyncDomain

/// Microsoft's error reading, shared by Graph, the identity platform's token endpoint and the
/// Bot Connector: status first, then the `code` (never the message, which is for people).
enum GraphErrors {
    static func classify(_ response: PlatformResponse, _ request: PlatformRequest) -> PlatformFailure? {
        guard !(200..<300).contains(response.status) else { return nil }
        let body = try? JSONDecoder().decode(GraphErrorBody.self, from: response.data)
        let code = body?.code
        let retryAt = RetryAfter.parse(response.headers)
        let userToken = request.credential == .user
        let cause: PlatformFailure.Cause
        switch (response.status, code) {
        case (429, _):
            cause = .rateLimited
        case (500..., _):
            cause = .platformUnavailable
        case (_, "invalid_grant"?), (_, "interaction_required"?):
            cause = userToken ? .userAuthorizationRejected : .credentialsRejected
        case (_, "invalid_client"?), (_, "unauthorized_client"?), (_, "invalid_tenant"?):
            cause = .credentialsRejected
        case (400, "invalid_request"?) where request.endpoint.hasSuffix("token"):
            // An unknown tenant (AADSTS90002) is a connection the admin must fix.
            cause = .credentialsRejected
        case (401, _):
            cause = userToken ? .userAuthorizationRejected : .credentialsRejected
        case (403, _) where String(buffer: response.body).contains("MessageWritesBlocked"):
            cause = .targetUnavailable
        case (403, _):
            cause = .permissionMissing
        case (404, _), (410, _):
            cause = .targetNotFound
        default:
            cause = .requestRejected
        }
        let detail = body?.message.map { ": \($0)" } ?? ""
        return PlatformFailure(
            cause, platform: .teams, platformCode: code ?? "http_\(response.status)",
            message: "Microsoft refused \(request.endpoint) (HTTP \(response.status))\(detail)",
            httpStatus: response.status, retryAt: retryAt)
    }
}
