import Foundation
import UserSyncDomain

/// The relay's Teams half (docs/relay.md "Microsoft Teams"): a linked person's own 1:1 chat
/// through Graph with their delegated token (`POST /chats`, then `/chats/{id}/messages`; edited
/// with `PATCH`, deleted with `softDelete`), or the bot's 1:1 conversation with the recipient
/// through the Bot Connector, the persona's name and label as the first line (`PUT` and `DELETE`
/// on the activity). A Graph chat has no threads: a linked person's reply is posted unthreaded.
extension TeamsConnector: RelayConnector {
    private func activityURL(_ conversation: String, _ activity: String? = nil) -> String {
        var url = botServiceBase + "v3/conversations/\(FormEncoding.escape(conversation))/activities"
        if let activity { url += "/\(FormEncoding.escape(activity))" }
        return url
    }

    func chatURL(_ chat: String, _ message: String? = nil) -> String {
        var url = "\(endpoints.api)/chats/\(FormEncoding.escape(chat))/messages"
        if let message { url += "/\(FormEncoding.escape(message))" }
        return url
    }

    /// The bot's text: the persona's name and label in bold on the first line, escaped, then the
    /// message's own HTML.
    static func botText(_ text: String, as sender: RelaySender) -> String {
        guard let head = sender.personaHead else { return text }
        return "<b>\(TeamsEventReceiver.escapeHTML(head))</b><br>\(text)"
    }

    /// The 1:1 chat of a linked person and the recipient: Graph answers with the existing chat
    /// when the two already have one.
    private func linkedChat(_ sender: String, _ recipient: String, _ tokens: UserTokens) async throws(PlatformFailure) -> String {
        let members = [sender, recipient].map { GraphChatCreate.Member(userBind: "\(endpoints.api)/users('\($0)')") }
        return try await http.sendJSON(
            .json(
                "\(endpoints.api)/chats", endpoint: "chats.create", body: GraphChatCreate(members: members), bearer: tokens.accessToken,
                credential: .user, idempotent: true), as: GraphChat.self
        ).id
    }

    private func bot<T>(_ body: (String) async throws(PlatformFailure) -> T) async throws(PlatformFailure) -> T {
        try await withAppToken(botTokens, fetch: fetchBotToken, body)
    }

    public func post(_ post: RelayPost) async throws(PlatformFailure) -> RelayedMessage {
        switch post.sender {
        case .linkedAccount(let sender, let tokens):
            return try await conversations.with(author: sender, recipient: post.recipientUserID) { () async throws(PlatformFailure) in
                try await linkedChat(sender, post.recipientUserID, tokens)
            } _: { chat async throws(PlatformFailure) in
                let message = try await http.sendJSON(
                    .json(
                        chatURL(chat), endpoint: "chats.messages", body: GraphChatMessageBody(body: .init(content: post.text)),
                        bearer: tokens.accessToken, credential: .user), as: GraphChat.self)
                return RelayedMessage(conversationID: chat, messageID: message.id)
            }
        case .persona:
            guard let teamsAppID = credentials.teamsAppID else {
                throw PlatformFailure(
                    .notSupported, platform: .teams, message: "this Teams connection has no Teams app id, so its bot cannot message people")
            }
            let activity = BotRelayActivity(text: Self.botText(post.text, as: post.sender), replyToId: post.threadID)
            return try await conversations.with(author: "bot", recipient: post.recipientUserID) { () async throws(PlatformFailure) in
                try await chatWithBot(user: post.recipientUserID, teamsAppID: teamsAppID)
            } _: { chatID async throws(PlatformFailure) in
                let answer = try await bot { token async throws(PlatformFailure) in
                    try await http.sendJSON(
                        .json(activityURL(chatID), endpoint: "bot.activities", body: activity, bearer: token), as: BotResourceResponse.self)
                }
                guard let id = answer.id else {
                    throw PlatformFailure(.malformedResponse, platform: .teams, message: "the bot's message was sent but returned no id")
                }
                return RelayedMessage(conversationID: chatID, messageID: id)
            }
        }
    }

    public var findsEarlierPosts: Bool { true }

    /// The chat's newest messages (`GET /chats/{id}/messages`, newest first, 50: an interrupted
    /// attempt is minutes old at most) by the same author (the person, or the bot) with exactly
    /// the text this post would have, written since `since`. The bot reads its chats with the
    /// app's Graph token (`Chat.Read.All`, or the `ChatMessage.Read.Chat` consent); without it the
    /// lookup fails and the message waits for its retry.
    public func posted(_ post: RelayPost, since: Date) async throws(PlatformFailure) -> [RelayedMessage] {
        func newest(_ chat: String) -> String { chatURL(chat) + "?$top=50&$orderby=" + FormEncoding.escape("createdDateTime desc") }
        func matching(_ messages: [GraphChatMessage], chat: String, author: (GraphChatMessage.From) -> Bool, text: String) -> [RelayedMessage] {
            messages.reversed().compactMap { message in
                guard let id = message.id, let from = message.from, author(from), message.body?.content == text,
                    let created = message.createdDateTime.flatMap(Self.parseGraphDate), created >= since
                else { return nil }
                return RelayedMessage(conversationID: chat, messageID: id)
            }
        }
        switch post.sender {
        case .linkedAccount(let sender, let tokens):
            return try await conversations.with(author: sender, recipient: post.recipientUserID) { () async throws(PlatformFailure) in
                try await linkedChat(sender, post.recipientUserID, tokens)
            } _: { chat async throws(PlatformFailure) in
                let listed = try await http.sendJSON(
                    .get(newest(chat), endpoint: "chats.messages.list", bearer: tokens.accessToken, credential: .user),
                    as: GraphCollection<GraphChatMessage>.self)
                return matching(listed.value, chat: chat, author: { $0.user?.id == sender }, text: post.text)
            }
        case .persona:
            guard let teamsAppID = credentials.teamsAppID else { return [] }
            return try await conversations.with(author: "bot", recipient: post.recipientUserID) { () async throws(PlatformFailure) in
                try await chatWithBot(user: post.recipientUserID, teamsAppID: teamsAppID)
            } _: { chat async throws(PlatformFailure) in
                let listed = try await graph(newest(chat), endpoint: "chats.messages.list", as: GraphCollection<GraphChatMessage>.self)
                return matching(listed.value, chat: chat, author: { $0.application != nil }, text: Self.botText(post.text, as: post.sender))
            }
        }
    }

    public func edit(
        _ message: RelayedMessage, sender: RelaySender, recipientUserID: String, text: String
    ) async throws(PlatformFailure) {
        switch sender {
        case .linkedAccount(_, let tokens):
            try await http.send(
                .json(
                    chatURL(message.conversationID, message.messageID), method: .PATCH, endpoint: "chats.messages.update",
                    body: GraphChatMessageBody(body: .init(content: text)), bearer: tokens.accessToken, credential: .user, idempotent: true)
            ) { _ throws(PlatformFailure) in () }
        case .persona:
            let activity = BotRelayActivity(id: message.messageID, text: Self.botText(text, as: sender))
            try await bot { token async throws(PlatformFailure) in
                try await http.send(
                    .json(
                        activityURL(message.conversationID, message.messageID), method: .PUT, endpoint: "bot.activities.update",
                        body: activity, bearer: token, idempotent: true)
                ) { _ throws(PlatformFailure) in () }
            }
        }
    }

    public func delete(_ message: RelayedMessage, sender: RelaySender, recipientUserID: String) async throws(PlatformFailure) {
        do {
            switch sender {
            case .linkedAccount(_, let tokens):
                var request = PlatformRequest.get(
                    chatURL(message.conversationID, message.messageID) + "/softDelete", endpoint: "chats.messages.softDelete",
                    bearer: tokens.accessToken, credential: .user)
                request.method = .POST
                try await http.send(request) { _ throws(PlatformFailure) in () }
            case .persona:
                try await bot { token async throws(PlatformFailure) in
                    var request = PlatformRequest.get(
                        activityURL(message.conversationID, message.messageID), endpoint: "bot.activities.delete", bearer: token)
                    request.method = .DELETE
                    try await http.send(request) { _ throws(PlatformFailure) in () }
                }
            }
        } catch  where error.cause == .targetNotFound {
            return  // already gone
        }
    }

    /// Activities carry the text and the author; the recipient is the bot.
    public func complete(_ event: InboundEvent) async throws(PlatformFailure) -> InboundEvent { event }

    /// The admin sets the bot's messaging endpoint in the Azure Bot's configuration.
    public func subscribeToEvents(url: String, secret: String) async throws(PlatformFailure) {}
}
