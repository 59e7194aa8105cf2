import Foundation
import UserSyncDomain

/// One OpenID Connect provider the console signs admins in with, as the operator registered the
/// deployment's app with it.
public struct OpenIDSettings: Sendable {
    public var provider: IdentityProvider
    public var clientID: String
    public var clientSecret: String
    /// `<issuer or authority>/.well-known/openid-configuration`.
    public var discoveryURL: String
    public var scopes = "openid email profile"
    /// PKCE (S256) on the authorization code: Microsoft recommends it for every client; Slack
    /// accepts it only from apps turned into public clients, so it is off there.
    public var usesPKCE: Bool
    /// How far `exp` and `iat` may be off the service's clock.
    public var leeway: TimeInterval = 300
    /// The clock id_tokens are judged by; tests move it.
    public var now: @Sendable () -> Date = { Date() }

    public init(provider: IdentityProvider, clientID: String, clientSecret: String, discoveryURL: String, usesPKCE: Bool) {
        self.provider = provider
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.discoveryURL = discoveryURL
        self.usesPKCE = usesPKCE
    }

    /// Sign in with Slack; `issuer` is `https://slack.com` unless a simulator stands in.
    public static func slack(clientID: String, clientSecret: String, issuer: String = "https://slack.com") -> Self {
        Self(
            provider: .slack, clientID: clientID, clientSecret: clientSecret,
            discoveryURL: trimmed(issuer) + "/.well-known/openid-configuration", usesPKCE: false)
    }

    /// The Microsoft identity platform for work accounts of any tenant; `authority` is
    /// `https://login.microsoftonline.com/organizations/v2.0` unless a sovereign cloud or a
    /// simulator stands in.
    public static func microsoft(
        clientID: String, clientSecret: String, authority: String = "https://login.microsoftonline.com/organizations/v2.0"
    ) -> Self {
        Self(
            provider: .microsoft, clientID: clientID, clientSecret: clientSecret,
            discoveryURL: trimmed(authority) + "/.well-known/openid-configuration", usesPKCE: true)
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// Why a sign-in with a provider did not produce an identity.
public enum SignInFailure: Error, Sendable, Equatable {
    /// The provider could not be reached or answered something unreadable.
    case providerUnavailable(String)
    /// The provider refused the authorization code (used, expired, wrong client), in its words.
    case codeRejected(String)
    /// The id_token failed validation; the reason is for logs and the person signing in.
    case invalidToken(String)

    public var message: String {
        switch self {
        case .providerUnavailable(let reason): "The sign-in service could not be reached: \(reason)"
        case .codeRejected(let said): "The sign-in was refused: \(said)"
        case .invalidToken(let reason): "The sign-in could not be verified (\(reason))."
        }
    }
}
