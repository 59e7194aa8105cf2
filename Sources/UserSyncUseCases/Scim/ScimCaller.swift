import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence
import UserSyncSecrets

/// The bearer token of a SCIM request, read but not yet checked: the organization it names and
/// its hash. Whether it is live (not revoked) is checked in the transaction of the request's own
/// read or change (``Database/withScimCaller(_:now:logger:_:)``), so that admitting the token
/// costs one statement of that transaction instead of a transaction of its own: an identity
/// provider sends one request per membership change, thousands at a time.
public struct ScimCaller: Sendable {
    /// As presented, for ``ScimAccess/admit(_:logger:)``.
    let presented: String
    public let organizationID: OrganizationID
    let hash: Data
    /// The token's hash as text: names the caller without the token.
    public var hashText: String { hash.base64EncodedString() }

    /// Nil for anything that is not shaped like a SCIM token (API keys, the operator token).
    public init?(bearer: String) {
        guard let token = ScopedToken(parsing: bearer, prefix: ScopedToken.scimTokenPrefix) else { return nil }
        presented = bearer
        organizationID = token.organizationID
        hash = token.hash
    }
}

extension ScimError {
    /// 401 for every credential problem alike: missing, malformed, unknown, revoked, another
    /// organization's, an API key, or an organization that does not exist.
    public static let unauthenticated = ScimError(
        status: 401,
        detail: "Send a SCIM token of this organization as 'Authorization: Bearer <token>' (create one with POST /v1/orgs/{org}/scim/tokens).")
}

extension Database {
    /// A transaction of the caller's organization that first admits its token with the rule SCIM
    /// tokens are always admitted by (``ScimTokenRepository/admit(_:hash:at:on:logger:)``: live,
    /// last use noted at most once a minute); a token that is not live is a 401 and nothing runs.
    func withScimCaller<Result: Sendable>(
        _ caller: ScimCaller, now: Date, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        // The admission scopes the transaction to the caller's organization: one statement fewer.
        try await withTransaction(logger: logger) { db in
            guard try await ScimTokenRepository().admit(caller.organizationID, hash: caller.hash, at: now, on: db, logger: logger) else {
                throw ScimError.unauthenticated
            }
            return try await body(db)
        }
    }
}
