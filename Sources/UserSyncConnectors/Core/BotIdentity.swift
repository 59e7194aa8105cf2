import Synchronization
import UserSyncDomain

/// The platform user id of a connection's own bot (Slack `auth.test`'s `user_id`, Webex
/// `people/me` with the bot token), looked up once and kept with the connection's other shared
/// state: the relay asks it for every event it completes, to tell a DM with the bot from one
/// between two people.
final class BotIdentity: Sendable {
    private let id = Mutex<String?>(nil)

    init() {}

    func userID(_ lookup: () async throws(PlatformFailure) -> String) async throws(PlatformFailure) -> String {
        if let known = id.withLock({ $0 }) { return known }
        let found = try await lookup()
        id.withLock { $0 = found }
        return found
    }
}
