import Foundation
import UserSyncDomain

/// The relay's Zoom half (docs/relay.md "Zoom Team Chat"): a linked person's own 1:1 chat
/// (`/chat/users/me/messages` with their token), or the chatbot with the persona's name and label
/// in the card's head (`/im/chat/messages`). The chatbot's edit and delete
/// (`PUT`/`DELETE /im/chat/messages/{id}`) follow Zoom's chatbot API and are unconfirmed ⚠️.
extension ZoomConnector: RelayConnector {
    private var userMessages: String { "\(endpoints.api)/chat/users/me/messages" }
    private var botMessages: String { "\(endpoints.api)/im/chat/messages" }

    private func robotJID() throws(PlatformFailure) -> String {
        guard let robotJID = credentials.robotJID else {
            throw PlatformFailure(
                .notSupported, platform: .zoom, message: "this Zoom connection has no chatbot (robot JID), so it cannot post as a persona")
        }
        return robotJID
    }

    private func botContent(_ sender: RelaySender, _ text: String) -> ZoomChatMessage.Content {
        ZoomChatMessage.Content(head: .init(text: sender.personaHead ?? ""), body: [.init(type: "message", text: text)])
    }

    private func chatbot<T>(_ body: (String) async throws(PlatformFailure) -> T) async throws(PlatformFailure) -> T {
        try await withAppToken(chatbotTokens, fetch: fetchChatbotToken, body)
    }

    public func post(_ post: RelayPost) async throws(PlatformFailure) -> RelayedMessage {
        switch post.sender {
        case .linkedAccount(let sender, let tokens):
            let body = ZoomUserChatMessage(message: post.text, to_contact: post.recipientUserID, reply_main_message_id: post.threadID)
            let answer = try await http.sendJSON(
                .json(userMessages, endpoint: "chat.users.messages", body: body, bearer: tokens.accessToken, credential: .user),
                as: ZoomUserChatAnswer.self)
            guard let id = answer.id else {
                throw PlatformFailure(.malformedResponse, platform: .zoom, message: "the chat message was sent but Zoom returned no id")
            }
            return RelayedMessage(conversationID: ZoomEventReceiver.conversation(sender, post.recipientUserID), messageID: id)
        case .persona:
            let robotJID = try robotJID()
            // The list omits the JID a chatbot message needs; the single-user call has it.
            let user = try await api(
                "\(endpoints.api)/users/\(FormEncoding.escape(post.recipientUserID))", endpoint: "user", as: ZoomUserDetail.self)
            guard let jid = user.jid else {
                throw PlatformFailure(.malformedResponse, platform: .zoom, message: "Zoom returned no chat JID for the user")
            }
            let body = ZoomRelayBotMessage(
                robot_jid: robotJID, to_jid: jid, account_id: credentials.accountID, content: botContent(post.sender, post.text),
                reply_to: post.threadID)
            let answer = try await chatbot { token async throws(PlatformFailure) in
                try await http.sendJSON(.json(botMessages, endpoint: "chat.messages", body: body, bearer: token), as: ZoomChatMessageResponse.self)
            }
            guard let id = answer.message_id else {
                throw PlatformFailure(.malformedResponse, platform: .zoom, message: "the chatbot message was sent but Zoom returned no id")
            }
            return RelayedMessage(conversationID: jid, messageID: id)
        }
    }

    public func edit(
        _ message: RelayedMessage, sender: RelaySender, recipientUserID: String, text: String
    ) async throws(PlatformFailure) {
        let id = FormEncoding.escape(message.messageID)
        switch sender {
        case .linkedAccount(_, let tokens):
            let body = ZoomUserChatMessage(message: text, to_contact: recipientUserID)
            try await http.send(
                .json(
                    "\(userMessages)/\(id)", method: .PUT, endpoint: "chat.users.messages.update", body: body, bearer: tokens.accessToken,
                    credential: .user, idempotent: true)
            ) { _ throws(PlatformFailure) in () }
        case .persona:
            let body = ZoomRelayBotMessage(robot_jid: try robotJID(), account_id: credentials.accountID, content: botContent(sender, text))
            try await chatbot { token async throws(PlatformFailure) in
                try await http.send(
                    .json("\(botMessages)/\(id)", method: .PUT, endpoint: "chat.messages.update", body: body, bearer: token, idempotent: true)
                ) { _ throws(PlatformFailure) in () }
            }
        }
    }

    public func delete(_ message: RelayedMessage, sender: RelaySender, recipientUserID: String) async throws(PlatformFailure) {
        let id = FormEncoding.escape(message.messageID)
        do {
            switch sender {
            case .linkedAccount(_, let tokens):
                var request = PlatformRequest.get(
                    FormEncoding.url("\(userMessages)/\(id)", [("to_contact", recipientUserID)]), endpoint: "chat.users.messages.delete",
                    bearer: tokens.accessToken, credential: .user)
                request.method = .DELETE
                try await http.send(request) { _ throws(PlatformFailure) in () }
            case .persona:
                let url = FormEncoding.url("\(botMessages)/\(id)", [("robot_jid", try robotJID()), ("account_id", credentials.accountID)])
                try await chatbot { token async throws(PlatformFailure) in
                    var request = PlatformRequest.get(url, endpoint: "chat.messages.delete", bearer: token)
                    request.method = .DELETE
                    try await http.send(request) { _ throws(PlatformFailure) in () }
                }
            }
        } catch  where error.cause == .targetNotFound {
            return  // already gone
        }
    }

    /// Zoom's events name both members and carry the text.
    public func complete(_ event: InboundEvent) async throws(PlatformFailure) -> InboundEvent { event }

    /// The admin registers the event URL in the Team Chat app's Event Subscriptions.
    public func subscribeToEvents(url: String, secret: String) async throws(PlatformFailure) {}
}
