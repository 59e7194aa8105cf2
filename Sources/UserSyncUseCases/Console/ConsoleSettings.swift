import Foundation

/// How the console's sign-ins, sessions and invitations behave. Read from the environment by the
/// CLI; tests shorten the lifetimes and move the clock.
public struct ConsoleSettings: Sendable {
    /// Where admins reach the service; invitation links and sign-in callbacks start with it, and
    /// session cookies are `Secure` whenever it is https.
    public var publicURL: String
    /// A session ends after this long without a request…
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// …and this long after sign-in in any case.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// How long an invitation link works.
    public var invitationLifetime: Duration = .seconds(7 * 24 * 3600)
    /// How long a person has between starting a sign-in and coming back from the provider.
    public var signInLifetime: Duration = .seconds(10 * 60)
    /// The clock sessions, invitations and sign-ins are judged by; tests move it.
    public var now: @Sendable () -> Date = { Date() }

    public init(publicURL: String) {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    public var secureCookies: Bool { publicURL.lowercased().hasPrefix("https://") }

    public func invitationLink(_ token: String) -> String { "\(publicURL)/console/invitations/\(token)" }

    public func callbackURL(_ provider: String) -> String { "\(publicURL)/console/sign-in/\(provider)/callback" }
}
