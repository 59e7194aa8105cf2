import Foundation
import UserSyncDomain

/// The relay's Slack half (docs/relay.md "Slack"): a DM opened with `conversations.open`, posted
/// with `chat.postMessage`, changed with `chat.update` and `chat.delete`, as the linked person
/// (their `xoxp` token) or as a persona (the bot token with `username` and `icon_url`).
extension SlackConnector: RelayConnector {
    /// Slack shows at most 80 characters of a `username`.
    static let usernameLimit = 80

    private struct Author {
        /// Who posts: "bot", or the linked person's user id.
        var key: String
        var token: String
        var credential: PlatformRequest.Credential
        var username: String?
        var iconURL: String?
    }

    private func author(_ sender: RelaySender) -> Author {
        switch sender {
        case .linkedAccount(let user, let tokens):
            return Author(key: user, token: tokens.accessToken, credential: .user)
        case .persona(let name, let avatarURL, let label):
            // The label is part of the name Slack shows, where the message text cannot reach it.
            let suffix = " (\(label))"
            let room = max(1, Self.usernameLimit - suffix.count)
            let shown = name.count > room ? String(name.prefix(room - 1)) + "…" : name
            return Author(key: "bot", token: credentials.botToken, credential: .app, username: shown + suffix, iconURL: avatarURL)
        }
    }

    public func post(_ post: RelayPost) async throws(PlatformFailure) -> RelayedMessage {
        let author = author(post.sender)
        return try await conversations.with(author: author.key, recipient: post.recipientUserID) { () async throws(PlatformFailure) in
            try await openDM(author, post.recipientUserID)
        } _: { channel async throws(PlatformFailure) in
            let body = SlackRelayMessageBody(
                channel: channel, text: post.text, thread_ts: post.threadID, username: author.username, icon_url: author.iconURL,
                metadata: post.key.map(SlackMessageMetadata.relayed))
            let request = PlatformRequest.json(
                url("chat.postMessage"), endpoint: "chat.postMessage", body: body, bearer: author.token, credential: author.credential)
            let answer = try await send(request, as: SlackChatAnswer.self)
            guard let ts = answer.ts else {
                throw PlatformFailure(.malformedResponse, platform: .slack, message: "chat.postMessage returned no ts")
            }
            return RelayedMessage(conversationID: answer.channel ?? channel, messageID: ts)
        }
    }

    public var findsEarlierPosts: Bool { true }

    /// The DM's messages since `since` (`conversations.history` with `include_all_metadata`, one
    /// page of up to 100: an interrupted attempt is minutes old at most), looked through for the
    /// one whose metadata carries `post.key`.
    public func posted(_ post: RelayPost, since: Date) async throws(PlatformFailure) -> [RelayedMessage] {
        guard let key = post.key else { return [] }
        let author = author(post.sender)
        return try await conversations.with(author: author.key, recipient: post.recipientUserID) { () async throws(PlatformFailure) in
            try await openDM(author, post.recipientUserID)
        } _: { channel async throws(PlatformFailure) in
            try await posted(key, in: channel, as: author, since: since)
        }
    }

    private func posted(_ key: String, in channel: String, as author: Author, since: Date) async throws(PlatformFailure) -> [RelayedMessage] {
        let request = PlatformRequest.form(
            url("conversations.history"), endpoint: "conversations.history",
            fields: [
                ("channel", channel), ("oldest", String(format: "%.6f", since.timeIntervalSince1970)), ("limit", "100"),
                ("include_all_metadata", "true"),
            ], authorization: "Bearer \(author.token)", credential: author.credential)
        let history = try await send(request, as: SlackHistory.self)
        let ours = SlackMessageMetadata.relayed(key)
        return (history.messages ?? []).reversed().compactMap { message in
            guard message.metadata == ours, let ts = message.ts else { return nil }
            return RelayedMessage(conversationID: channel, messageID: ts)
        }
    }

    /// The DM of the author and the recipient (`conversations.open` gives the existing one).
    private func openDM(_ author: Author, _ recipient: String) async throws(PlatformFailure) -> String {
        let open = PlatformRequest.form(
            url("conversations.open"), endpoint: "conversations.open", fields: [("users", recipient)],
            authorization: "Bearer \(author.token)", credential: author.credential)
        guard let channel = try await send(open, as: SlackConversationsOpen.self).channel?.id else {
            throw PlatformFailure(.malformedResponse, platform: .slack, message: "conversations.open returned no channel")
        }
        return channel
    }

    public func edit(
        _ message: RelayedMessage, sender: RelaySender, recipientUserID: String, text: String
    ) async throws(PlatformFailure) {
        let author = author(sender)
        let request = PlatformRequest.json(
            url("chat.update"), endpoint: "chat.update",
            body: SlackMessageChange(channel: message.conversationID, ts: message.messageID, text: text), bearer: author.token,
            credential: author.credential, idempotent: true)
        _ = try await send(request, as: SlackChatAnswer.self)
    }

    public func delete(_ message: RelayedMessage, sender: RelaySender, recipientUserID: String) async throws(PlatformFailure) {
        let author = author(sender)
        let request = PlatformRequest.json(
            url("chat.delete"), endpoint: "chat.delete", body: SlackMessageChange(channel: message.conversationID, ts: message.messageID),
            bearer: author.token, credential: author.credential, idempotent: true)
        do {
            _ = try await send(request, as: SlackChatAnswer.self)
        } catch  where error.cause == .targetNotFound {
            return  // message_not_found or channel_not_found: already gone
        }
    }

    /// Names the IM's other member when the envelope did not (`conversations.members`, scope
    /// `im:read`): an IM the bot (`auth.test`'s `user_id`) is a member of is the bot's, so the
    /// event is a reply to a persona. A deletion does not name its author: in an IM of two people
    /// it is returned as it is, to be matched to the message it deletes.
    public func complete(_ event: InboundEvent) async throws(PlatformFailure) -> InboundEvent {
        guard !event.toBot, event.recipientUserID == nil else { return event }
        let members =
            try await call(
                "conversations.members", query: [("channel", event.conversationID)], as: SlackConversationMembers.self
            ).members ?? []
        let bot = try await botIdentity.userID { () async throws(PlatformFailure) in
            guard let id = try await call("auth.test", as: SlackAuthTest.self).user_id else {
                throw PlatformFailure(.malformedResponse, platform: .slack, message: "auth.test returned no user_id")
            }
            return id
        }
        var completed = event
        if members.contains(bot) {
            completed.toBot = true
        } else if !event.senderUserID.isEmpty {
            guard let other = members.first(where: { $0 != event.senderUserID }) else {
                throw PlatformFailure(.targetNotFound, platform: .slack, message: "conversations.members named no other member of the IM")
            }
            completed.recipientUserID = other
        }
        return completed
    }

    /// The admin registers the event URL in the app's settings (Event Subscriptions).
    public func subscribeToEvents(url: String, secret: String) async throws(PlatformFailure) {}
}
