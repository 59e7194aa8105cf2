import Foundation
import Hummingbird

/// Zoom Team Chat messages (platform-apis.md §3.4, docs/relay.md): the chatbot's
/// `POST /im/chat/messages` (its card head `Name (via Platform)` makes it a persona), `PUT` and
/// `DELETE /im/chat/messages/{id}` (with `robot_jid` and `account_id`), and a
/// person's own `POST`, `PUT` and `DELETE /chat/users/me/messages[/{id}]` with their user token.
extension ZoomSimulator {
    func registerChat(_ router: Router<BasicRequestContext>) {
        route(router, .post, "/zoom/v2/im/chat/messages", "chat.messages", kinds: [.bot]) { request, _, token in
            try await chatbotMessage(request, token)
        }
        route(router, .put, "/zoom/v2/im/chat/messages/:message", "chat.messages.update", kinds: [.bot]) { request, context, token in
            let body = await SimHTTP.jsonBody(request) ?? [:]
            let id = try chatbotMessageID(context, token, robotJID: body["robot_jid"] as? String, accountID: body["account_id"] as? String)
            _ = state.edit(token.organization, .zoom, id, by: SimChat.bot, text: Self.card(body["content"]).text)
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
        route(router, .delete, "/zoom/v2/im/chat/messages/:message", "chat.messages.delete", kinds: [.bot]) { request, context, token in
            let query = SimHTTP.query(request)
            let id = try chatbotMessageID(context, token, robotJID: query["robot_jid"], accountID: query["account_id"])
            _ = state.delete(token.organization, .zoom, id, by: SimChat.bot)
            return SimHTTP.json(["message_id": .string(id), "robot_jid": .string(query["robot_jid"] ?? "")] as [String: AnyCodable])
        }
        route(router, .post, "/zoom/v2/chat/users/:user/messages", "chat.users.messages", kinds: [.user]) { request, context, token in
            let me = try me(context, token)
            let body = await SimHTTP.jsonBody(request) ?? [:]
            guard body["to_channel"] == nil else { throw SimError.badRequest(code: "300", message: "Channels are not simulated.") }
            let recipient = try contact(body["to_contact"] as? String, token)
            guard let text = body["message"] as? String, !text.isEmpty else {
                throw SimError.badRequest(code: "300", message: "message is required.")
            }
            let post = SimChatPost(
                platform: .zoom, author: me, recipient: recipient, text: text, thread: body["reply_main_message_id"] as? String, viaApp: true)
            switch state.post(token.organization, post) {
            case .success(let message): return SimHTTP.json(["id": .string(message.id)] as [String: AnyCodable], status: .created)
            case .failure(.unknownThread): throw SimError.notFound(code: "5301", message: "The main message does not exist.")
            case .failure: throw SimError.badRequest(code: "5401", message: "The message could not be sent to this contact.")
            }
        }
        route(router, .put, "/zoom/v2/chat/users/:user/messages/:message", "chat.users.messages.update", kinds: [.user]) { request, context, token in
            let me = try me(context, token)
            let body = await SimHTTP.jsonBody(request) ?? [:]
            let id = try ownMessage(context, token, me: me, contact: body["to_contact"] as? String)
            guard let text = body["message"] as? String, !text.isEmpty else {
                throw SimError.badRequest(code: "300", message: "message is required.")
            }
            _ = state.edit(token.organization, .zoom, id, by: me, text: text)
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
        route(router, .delete, "/zoom/v2/chat/users/:user/messages/:message", "chat.users.messages.delete", kinds: [.user]) {
            request, context, token in
            let me = try me(context, token)
            let id = try ownMessage(context, token, me: me, contact: SimHTTP.query(request)["to_contact"])
            _ = state.delete(token.organization, .zoom, id, by: me)
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
    }

    /// The path's user: `me` (or the token's own id).
    private func me(_ context: BasicRequestContext, _ token: SimToken) throws -> String {
        let user = SimHTTP.param(context, "user") ?? ""
        guard let me = token.userID, user == "me" || user == me else {
            throw SimError.badRequest(code: "300", message: "A user-level app can only send messages as me.")
        }
        return me
    }

    /// A contact by address or user id.
    private func contact(_ value: String?, _ token: SimToken) throws -> String {
        let directory = state.store.withLock { $0.organizations[token.organization]?.directory(.zoom) } ?? SimPlatformDirectory()
        guard let value, !value.isEmpty else { throw SimError.badRequest(code: "300", message: "to_contact is required.") }
        guard let index = directory.find(login: value) else { throw SimError.notFound(code: "1001", message: "User does not exist: \(value).") }
        return directory.accounts[index].id
    }

    /// A message the person sent to `contact` and has not deleted.
    private func ownMessage(_ context: BasicRequestContext, _ token: SimToken, me: String, contact value: String?) throws -> String {
        let contact = try contact(value, token)
        let id = SimHTTP.param(context, "message") ?? ""
        guard let message = state.chatMessage(token.organization, .zoom, id), !message.deleted,
            Set([message.author, message.recipient]) == Set([me, contact])
        else { throw SimError.notFound(code: "5301", message: "Message does not exist: \(id).") }
        guard message.author == me else { throw SimError.badRequest(code: "5302", message: "Only the sender can change a message.") }
        return id
    }

    /// A message the chatbot sent and has not deleted, named with the chatbot's JID and account.
    private func chatbotMessageID(_ context: BasicRequestContext, _ token: SimToken, robotJID: String?, accountID: String?) throws -> String {
        let credentials = state.store.withLock { $0.organizations[token.organization]?.credentials.zoom }
        guard let credentials, robotJID == credentials.robotJID else { throw SimError.badRequest(code: "7001", message: "Invalid robot_jid.") }
        guard accountID == credentials.accountID else { throw SimError.badRequest(code: "7004", message: "Invalid account_id.") }
        let id = SimHTTP.param(context, "message") ?? ""
        guard let message = state.chatMessage(token.organization, .zoom, id), message.author == SimChat.bot, !message.deleted else {
            throw SimError.notFound(code: "5301", message: "Message does not exist: \(id).")
        }
        return id
    }

    private func chatbotMessage(_ request: Request, _ token: SimToken) async throws -> SimReply {
        let body = await SimHTTP.jsonBody(request) ?? [:]
        let organization = state.store.withLock { $0.organizations[token.organization] }
        guard let organization, body["robot_jid"] as? String == organization.credentials.zoom.robotJID else {
            throw SimError.badRequest(code: "7001", message: "Invalid robot_jid.")
        }
        guard body["account_id"] as? String == organization.credentials.zoom.accountID else {
            throw SimError.badRequest(code: "7004", message: "Invalid account_id.")
        }
        let toJID = (body["to_jid"] as? String ?? "").lowercased()
        let directory = organization.directory(.zoom)
        guard let account = directory.accounts.first(where: { !$0.removed && ZoomEvents.jid($0.id) == toJID }) else {
            throw SimError.notFound(code: "1001", message: "User does not exist: \(toJID).")
        }
        guard account.active else { throw SimError.badRequest(code: "7010", message: "The user is deactivated.") }
        let card = body["content"] as? [String: Any] ?? [:]
        let content = (try? JSONSerialization.data(withJSONObject: card)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        let readable = content.replacingOccurrences(of: "\\/", with: "/")
        let (text, head) = Self.card(card)
        let post = SimChatPost(
            platform: .zoom, author: SimChat.bot, recipient: account.id, text: text, thread: body["reply_to"] as? String,
            persona: head.flatMap(SimPersona.heading), viaApp: true)
        guard case .success(let message) = state.post(token.organization, post) else {
            throw SimError.notFound(code: "5301", message: "The message to reply to does not exist.")
        }
        state.store.withLock {
            $0.messages.append(
                SimMessage(
                    organization: token.organization, platform: .zoom, to: account.id, text: readable, link: firstLink(in: readable), at: Date()))
        }
        return SimHTTP.json(
            [
                "message_id": .string(message.id), "robot_jid": .string(organization.credentials.zoom.robotJID), "to_jid": .string(toJID),
            ] as [String: AnyCodable], status: .created)
    }

    /// A chatbot card's text (its body's message lines, else its head) and its head.
    private static func card(_ content: Any?) -> (text: String, head: String?) {
        let card = content as? [String: Any] ?? [:]
        let head = (card["head"] as? [String: Any])?["text"] as? String
        let lines = (card["body"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        return (lines.isEmpty ? head ?? "" : lines.joined(separator: "\n"), head)
    }
}
