import UserSyncDomain

/// One chat platform's API as UserSync needs it. One implementation per platform; each instance
/// serves one connection (its credentials, base URLs, token cache and rate limiter).
///
/// Every method throws ``PlatformFailure`` for anything the platform refused or could not do, so
/// callers never see transport errors or platform-specific shapes.
public protocol PlatformConnector: Sendable {
    var platform: Platform { get }

    /// Proves the credentials with a real call and returns the workspace/tenant/account they belong to.
    func verifyCredentials() async throws(PlatformFailure) -> ConnectedIdentity

    /// Every user of the workspace, a page at a time, including deactivated users, bots and guests
    /// (flagged). Pages are fetched as the sequence is iterated, never all at once.
    func users() -> PageSequence<PlatformAccount>

    /// The workspace's teams (Teams teams, Webex teams, Slack user groups, Zoom groups).
    func teams() -> PageSequence<PlatformTeam>

    /// The members of one team.
    func teamMembers(teamID: String) -> PageSequence<PlatformTeamMember>

    /// Sends a direct message from the app's bot to one account.
    func sendDirectMessage(to platformUserID: String, _ message: DirectMessage) async throws(PlatformFailure) -> DeliveredMessage

    /// Creates the stand-in that makes a person without an account reachable on this platform:
    /// a Teams guest, or a Slack/Webex bot persona. Zoom has none (`notSupported`).
    func createVirtualAccount(_ request: VirtualAccountRequest) async throws(PlatformFailure) -> VirtualAccount

    /// Removes a virtual account upstream. Removing one that is already gone succeeds.
    func deleteVirtualAccount(_ account: VirtualAccount) async throws(PlatformFailure)

    /// Where to send a person to authorize the app on their own behalf.
    func authorizeURL(_ request: ConsentRequest) throws(PlatformFailure) -> String

    /// Exchanges the authorization code from the OAuth callback for the user's tokens.
    func exchangeCode(_ code: String, redirectURI: String) async throws(PlatformFailure) -> UserTokens

    /// Proves a person's own tokens still work and returns the platform user they belong to;
    /// fails with `userAuthorizationRejected` when they were revoked or expired.
    func verifyUserTokens(_ tokens: UserTokens) async throws(PlatformFailure) -> String

    /// Refreshes user tokens; fails with `userAuthorizationRejected` when they cannot be refreshed.
    func refresh(_ tokens: UserTokens) async throws(PlatformFailure) -> UserTokens

    /// Revokes user tokens upstream where the platform allows it.
    func revoke(_ tokens: UserTokens) async throws(PlatformFailure) -> RevocationOutcome

    /// Whether the account administers the workspace or tenant (a Slack admin or owner, an Entra
    /// user holding one of the admin directory roles): who may sign in to the console.
    func isAdministrator(platformUserID: String) async throws(PlatformFailure) -> Bool
}

extension PlatformConnector {
    /// Only Slack and Microsoft accounts sign in to the console.
    public func isAdministrator(platformUserID: String) async throws(PlatformFailure) -> Bool {
        throw PlatformFailure(.notSupported, platform: platform, message: "\(platform.displayName) accounts do not sign in to the console")
    }
}
