import Foundation

/// Graph change notifications on a person's chat messages (`/users/{id}/chats/getAllMessages`):
/// every message created, edited or deleted in a Teams chat between two people reaches the live
/// subscriptions of both members. The app's bot's conversations are left out: the bot hears those
/// as Bot Framework activities.
extension GraphSimulator {
    /// The longest lifetime Graph grants a chat message subscription (60 minutes).
    static let maxChatSubscriptionLifetime: TimeInterval = 60 * 60

    /// A group (``groupID(ofResource:)``) or a person's chat messages (``chatUserID(ofResource:)``).
    static func target(ofResource resource: String) -> SimGraphSubscription.Target? {
        if let group = groupID(ofResource: resource) { return .group(group) }
        return chatUserID(ofResource: resource).map { .chatMessages(userID: $0) }
    }

    /// `/users/{id}/chats/getAllMessages` or `users('{id}')/chats/getAllMessages` (leading slash
    /// optional, `users` any case).
    static func chatUserID(ofResource resource: String) -> String? {
        let parts = resource.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts.suffix(2).map({ $0.lowercased() }) == ["chats", "getallmessages"] else { return nil }
        let user: String
        if parts.count == 4, parts[0].lowercased() == "users" {
            user = parts[1]
        } else if parts.count == 3, parts[0].lowercased().hasPrefix("users('"), parts[0].hasSuffix("')") {
            user = String(parts[0].dropFirst(7).dropLast(2))
        } else {
            return nil
        }
        return user.isEmpty ? nil : user
    }

    /// A person's delegated token subscribes to their own chat messages only; groups need the app.
    static func permit(_ target: SimGraphSubscription.Target, to token: SimToken) throws {
        guard token.kind == .user else { return }
        guard let user = target.chatUserID else {
            throw SimError.forbidden(code: "Forbidden", message: "Insufficient privileges to subscribe to this resource with a delegated token.")
        }
        guard user == token.userID else {
            throw SimError.forbidden(code: "Forbidden", message: "A delegated token can only subscribe to the signed-in user's chat messages.")
        }
    }

    /// A known group, or a known active Teams person (not a bot).
    static func exists(_ target: SimGraphSubscription.Target, in organization: SimOrganization) -> Bool {
        let directory = organization.directory(.teams)
        switch target {
        case .group(let id): return directory.teamIndex[id] != nil
        case .chatMessages(let user): return directory.account(user).map { $0.active && !$0.bot } ?? false
        }
    }

    /// Tells every live chat message subscription of a member of the message's chat, whose change
    /// types include this change, that the message changed. Nothing for other platforms, nor for
    /// a conversation with the app's bot.
    static func notifyChatMessageChanged(state: SimulatorState, organization: String, _ message: SimChatMessage, _ change: SimChatChange) {
        guard message.platform == .teams else { return }
        let changeType = change == .edited ? "updated" : change.rawValue
        let now = state.configuration.now()
        let (subscriptions, tenant) = state.store.withLock { store -> ([SimGraphSubscription], String) in
            let candidates = store.graphSubscriptions.values.filter {
                $0.organization == organization && $0.chatUserID != nil && $0.expiresAt > now && !$0.needsReauthorization
                    && $0.watches(changeType)
            }
            guard !candidates.isEmpty, let chat = store.organizations[organization]?.chat.conversation(.teams, message.conversation),
                !chat.includes(SimChat.bot)
            else { return ([], "") }
            let tenant = store.organizations[organization]?.credentials.teams.tenantID ?? ""
            return (candidates.filter { chat.includes($0.chatUserID ?? "") }, tenant)
        }
        let notifier = GraphNotifier(state: state)
        for subscription in subscriptions.sorted(by: { $0.id < $1.id }) {
            notifier.deliver(
                GraphNotifier.chatMessage(subscription, changeType, chatID: message.conversation, messageID: message.id, tenantID: tenant),
                kind: .change, to: subscription.notificationURL, subscription: subscription)
        }
    }
}
