import Foundation
import UserSyncDomain

/// Runs `body` with a cached app token. If the platform rejects a cached token before its stated
/// expiry (rotated secret, revoked consent), the token is renewed once and the call repeated, so
/// only credentials that are really bad reach the caller as `credentialsRejected`.
func withAppToken<T>(
    _ cache: AppTokenCache, fetch: @escaping AppTokenCache.Fetch,
    _ body: (String) async throws(PlatformFailure) -> T
) async throws(PlatformFailure) -> T {
    let token = try await cache.token(fetch)
    do {
        return try await body(token)
    } catch  where error.cause == .credentialsRejected && error.httpStatus == 401 {
        await cache.invalidate(token)
        return try await body(try await cache.token(fetch))
    }
}

/// A client-credentials style token response turned into a cache entry.
func appToken(_ body: IdentityToken, now: Date, defaultLifetime: TimeInterval = 3600) -> AppTokenCache.Token {
    let lifetime = body.expires_in?.value.map(TimeInterval.init) ?? defaultLifetime
    return AppTokenCache.Token(value: body.access_token, expiresAt: now.addingTimeInterval(lifetime))
}

/// User tokens from an OAuth token response.
func userTokens(_ body: IdentityToken, platformUserID: String?, previous: UserTokens?, now: Date) -> UserTokens {
    UserTokens(
        accessToken: body.access_token, refreshToken: body.refresh_token ?? previous?.refreshToken,
        expiresAt: body.expires_in?.value.map { now.addingTimeInterval(TimeInterval($0)) },
        refreshTokenExpiresAt: body.refresh_token_expires_in?.value.map { now.addingTimeInterval(TimeInterval($0)) }
            ?? previous?.refreshTokenExpiresAt,
        scope: body.scope ?? previous?.scope, platformUserID: platformUserID ?? previous?.platformUserID)
}
