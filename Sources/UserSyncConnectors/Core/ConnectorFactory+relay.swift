import Foundation
import UserSyncDomain

extension ConnectorFactory {
    /// What verifies and reads the requests `connection`'s platform sends to its event URL
    /// (docs/relay.md "Public URLs"): Slack's and Zoom's signatures with the secrets the admin
    /// copied from the app's settings, Webex's with the webhook secret UserSync made, Teams' bearer
    /// tokens with the Bot Framework's published keys (``ConnectorSettings/botFrameworkOpenIDURL``)
    /// for the bot's app id. A connection without its secret refuses every request
    /// (`not_configured`).
    public func eventReceiver(for connection: Connection) -> any PlatformEventReceiver {
        let window = settings.eventReplayWindow.seconds
        switch connection.credentials {
        case .slack(let credentials):
            return SlackEventReceiver(signingSecret: nonEmpty(credentials.signingSecret), replayWindow: window)
        case .teams(let credentials):
            return TeamsEventReceiver(
                appID: credentials.botAppID ?? credentials.clientID, tenantID: credentials.tenantID, authentication: botFramework,
                leeway: settings.botTokenLeeway.seconds)
        case .zoom(let credentials):
            return ZoomEventReceiver(secretToken: nonEmpty(credentials.webhookSecretToken), replayWindow: window)
        case .webex(let credentials):
            return WebexEventReceiver(secret: nonEmpty(credentials.webhookSecret))
        }
    }
}
