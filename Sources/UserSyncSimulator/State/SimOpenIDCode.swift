import Foundation
import UserSyncDomain

/// An authorization code of the OpenID sign-in client: single-use, bound to the client and the
/// redirect URI, and carrying what the id_token and PKCE need.
struct SimOpenIDCode: Sendable {
    var provider: SimOpenIDProvider
    var organization: String
    var userID: String
    var clientID: String
    var redirectURI: String
    var nonce: String?
    var codeChallenge: String?
    var codeChallengeMethod: String?
    var authTime: Date
    var expiresAt: Date
}

/// The two OpenID Connect providers the simulator plays.
enum SimOpenIDProvider: String, Sendable {
    case slack, microsoft

    /// The platform whose accounts sign in, and under which calls are counted.
    var platform: Platform {
        switch self {
        case .slack: .slack
        case .microsoft: .teams
        }
    }
}
