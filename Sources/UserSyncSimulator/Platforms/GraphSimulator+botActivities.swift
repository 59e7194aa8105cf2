import Foundation
import Hummingbird

/// The Bot Connector's activities in the bot's 1:1 conversations (platform-apis.md §2.4,
/// docs/relay.md): `POST …/activities` (or `…/activities/{id}` to reply in its thread) → `{id}`,
/// `PUT …/activities/{id}` to replace the text, `DELETE …/activities/{id}`. What the bot sends is
/// stored as the app's message (a persona when its first line is `Name (via Platform)`) and, as
/// before, recorded as a delivered prompt.
extension GraphSimulator {
    func registerBotActivities(_ router: Router<BasicRequestContext>) {
        let path = "/botframework/v3/conversations/:conversation/activities"
        route(router, .post, RouterPath(path), "bot.activities", kinds: [.bot]) { request, context, token in
            try await activity(request, context, token)
        }
        route(router, .post, RouterPath(path + "/:activity"), "bot.activities", kinds: [.bot]) { request, context, token in
            try await activity(request, context, token)
        }
        route(router, .put, RouterPath(path + "/:activity"), "bot.activities.update", kinds: [.bot]) { request, context, token in
            let (conversation, _) = try botConversation(context, token)
            let id = try ownActivity(context, token, conversation: conversation)
            let text = await SimHTTP.jsonBody(request)?["text"] as? String ?? ""
            guard !text.isEmpty else { throw SimError.badRequest(code: "BadArgument", message: "The activity has no text.") }
            guard case .success = state.edit(token.organization, .teams, id, by: SimChat.bot, text: text) else {
                throw SimError.notFound(code: "ActivityNotFound", message: "Activity not found.")
            }
            return SimHTTP.json(["id": .string(id)] as [String: AnyCodable])
        }
        route(router, .delete, RouterPath(path + "/:activity"), "bot.activities.delete", kinds: [.bot]) { _, context, token in
            let (conversation, _) = try botConversation(context, token)
            let id = try ownActivity(context, token, conversation: conversation)
            guard case .success = state.delete(token.organization, .teams, id, by: SimChat.bot) else {
                throw SimError.notFound(code: "ActivityNotFound", message: "Activity not found.")
            }
            return SimReply(status: .ok, headers: [:], body: .init())
        }
    }

    /// The bot's conversation with a person the app is installed for: `19:{user}_{app}@unq.gbl.spaces`.
    private func botConversation(_ context: BasicRequestContext, _ token: SimToken) throws -> (id: String, account: SimAccount) {
        let conversation = SimHTTP.param(context, "conversation") ?? ""
        guard conversation.hasPrefix("19:"), let underscore = conversation.firstIndex(of: "_") else {
            throw SimError.notFound(code: "ConversationNotFound", message: "Conversation not found.")
        }
        let userID = String(conversation[conversation.index(conversation.startIndex, offsetBy: 3)..<underscore])
        let (account, installed, expected) = state.store.withLock { store in
            let organization = store.organizations[token.organization]
            return (
                organization?.directory(.teams).account(userID), organization?.installations[userID] != nil,
                organization.map { SimChat.conversationID(.teams, userID, SimChat.bot, credentials: $0.credentials) }
            )
        }
        guard let account, installed, expected == conversation else {
            throw SimError.notFound(code: "ConversationNotFound", message: "Conversation not found.")
        }
        return (conversation, account)
    }

    /// An activity the bot sent in this conversation and has not deleted.
    private func ownActivity(_ context: BasicRequestContext, _ token: SimToken, conversation: String) throws -> String {
        let id = SimHTTP.param(context, "activity") ?? ""
        guard let message = state.chatMessage(token.organization, .teams, id), message.conversation == conversation, !message.deleted else {
            throw SimError.notFound(code: "ActivityNotFound", message: "Activity not found.")
        }
        guard message.author == SimChat.bot else {
            throw SimError.forbidden(code: "Forbidden", message: "The bot can only change the activities it sent.")
        }
        return id
    }

    func activity(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) async throws -> SimReply {
        let (_, account) = try botConversation(context, token)
        guard account.active else {
            throw SimError.forbidden(code: "Forbidden", message: "The bot is not allowed to message this user (subCode MessageWritesBlocked).")
        }
        let body = await SimHTTP.jsonBody(request)
        let text = body?["text"] as? String ?? ""
        let attachments =
            (try? JSONSerialization.data(withJSONObject: body?["attachments"] ?? [])).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        let readable = attachments.replacingOccurrences(of: "\\/", with: "/")
        let thread = SimHTTP.param(context, "activity") ?? body?["replyToId"] as? String
        let post = SimChatPost(
            platform: .teams, author: SimChat.bot, recipient: account.id, text: text.isEmpty ? readable : text, thread: thread,
            persona: SimPersona.heading(text), viaApp: true)
        let message: SimChatMessage
        switch state.post(token.organization, post) {
        case .success(let stored): message = stored
        case .failure(.unknownThread): throw SimError.badRequest(code: "BadArgument", message: "The activity to reply to was not found.")
        case .failure: throw SimError.notFound(code: "ConversationNotFound", message: "Conversation not found.")
        }
        state.store.withLock {
            $0.messages.append(
                SimMessage(
                    organization: token.organization, platform: .teams, to: account.id, text: text,
                    link: firstLink(in: readable) ?? firstLink(in: text), at: Date()))
        }
        return SimHTTP.json(["id": .string(message.id)] as [String: AnyCodable], status: .created)
    }
}
