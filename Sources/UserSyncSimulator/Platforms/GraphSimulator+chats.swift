import Foundation
import Hummingbird

/// Graph's 1:1 chats with a person's delegated token (docs/relay.md "Microsoft Teams"):
/// `POST /chats` (the existing chat when there is one), `POST /chats/{id}/messages`,
/// `GET` and `PATCH /chats/{id}/messages/{mid}`, `POST …/softDelete`. A person's token posts as
/// that person. The app token reads any chat's messages too (`Chat.Read.All`).
extension GraphSimulator {
    func registerChats(_ router: Router<BasicRequestContext>) {
        route(router, .post, "/graph/v1.0/chats", "chats.create", kinds: [.user]) { request, _, token in
            try await createChat(request, token)
        }
        route(router, .post, "/graph/v1.0/chats/:chat/messages", "chats.messages", kinds: [.user]) { request, context, token in
            let (chat, me) = try memberChat(context, token)
            guard let recipient = chat.other(than: me) else { throw SimError.notFound(code: "NotFound", message: "Chat not found.") }
            let content = try await Self.content(request)
            let post = SimChatPost(platform: .teams, author: me, recipient: recipient, text: content, viaApp: true)
            switch state.post(token.organization, post) {
            case .success(let message): return SimHTTP.json(wireMessage(message, token), status: .created)
            case .failure: throw SimError.forbidden(code: "Forbidden", message: "The message could not be sent to this chat.")
            }
        }
        // Newest first (`$orderby=createdDateTime desc` is the only order the simulator keeps), up to `$top` (50 at most).
        route(router, .get, "/graph/v1.0/chats/:chat/messages", "chats.messages.list", kinds: [.user, .app]) { request, context, token in
            let (chat, _) = try memberChat(context, token)
            let top = min(max(SimHTTP.query(request)["$top"].flatMap(Int.init) ?? 20, 1), 50)
            let messages = state.newestMessages(token.organization, .teams, conversation: chat.id, limit: top)
            return SimHTTP.json(["value": .array(messages.map { .object(wireMessage($0, token)) })] as [String: AnyCodable])
        }
        route(router, .get, "/graph/v1.0/chats/:chat/messages/:message", "chats.messages.get", kinds: [.user, .app]) { _, context, token in
            let (chat, _) = try memberChat(context, token)
            return SimHTTP.json(wireMessage(try chatMessage(context, token, chat: chat, includeDeleted: true), token))
        }
        route(router, .patch, "/graph/v1.0/chats/:chat/messages/:message", "chats.messages.update", kinds: [.user]) { request, context, token in
            let (chat, me) = try memberChat(context, token)
            let message = try chatMessage(context, token, chat: chat, includeDeleted: false)
            let content = try await Self.content(request)
            guard case .success = state.edit(token.organization, .teams, message.id, by: me, text: content) else {
                throw SimError.forbidden(code: "Forbidden", message: "Only the sender can update a message.")
            }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
        route(router, .post, "/graph/v1.0/chats/:chat/messages/:message/softDelete", "chats.messages.softDelete", kinds: [.user]) {
            _, context, token in
            let (chat, me) = try memberChat(context, token)
            let message = try chatMessage(context, token, chat: chat, includeDeleted: false)
            guard case .success = state.delete(token.organization, .teams, message.id, by: me) else {
                throw SimError.forbidden(code: "Forbidden", message: "Only the sender can delete a message.")
            }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
    }

    private func createChat(_ request: Request, _ token: SimToken) async throws -> SimReply {
        let body = await SimHTTP.jsonBody(request) ?? [:]
        guard body["chatType"] as? String == "oneOnOne" else {
            throw SimError.badRequest(code: "BadRequest", message: "Only oneOnOne chats can be created here.")
        }
        let members = (body["members"] as? [[String: Any]] ?? []).compactMap { ($0["user@odata.bind"] as? String).flatMap(Self.boundUserID) }
        let me = token.userID ?? ""
        guard members.count == 2, members.contains(me), let other = members.first(where: { $0 != me }) else {
            throw SimError.badRequest(code: "BadRequest", message: "A oneOnOne chat has two members, one of them the signed-in user.")
        }
        let known = state.store.withLock { store in
            store.organizations[token.organization]?.directory(.teams).account(other).map { $0.active && !$0.bot } ?? false
        }
        guard known, let chat = state.openConversation(token.organization, .teams, me, other) else {
            throw SimError.notFound(code: "NotFound", message: "User '\(other)' was not found.")
        }
        let now = ISO8601DateFormatter().string(from: state.configuration.now())
        let tenant = state.store.withLock { $0.organizations[token.organization]?.credentials.teams.tenantID } ?? ""
        return SimHTTP.json(
            [
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#chats/$entity", "id": .string(chat.id), "topic": nil,
                "createdDateTime": .string(now), "lastUpdatedDateTime": .string(now), "chatType": "oneOnOne", "tenantId": .string(tenant),
            ] as [String: AnyCodable], status: .created)
    }

    /// `https://graph.microsoft.com/v1.0/users('{id}')` or `…/users/{id}`.
    static func boundUserID(_ bind: String) -> String? {
        if let open = bind.range(of: "users('"), let close = bind.range(of: "')", range: open.upperBound..<bind.endIndex) {
            return String(bind[open.upperBound..<close.lowerBound])
        }
        guard let range = bind.range(of: "/users/") else { return nil }
        return String(bind[range.upperBound...])
    }

    /// The chat in the path, which the token's person is a member of (any chat for the app token).
    private func memberChat(_ context: BasicRequestContext, _ token: SimToken) throws -> (SimConversation, String) {
        let me = token.userID ?? ""
        guard let chat = state.conversation(token.organization, .teams, SimHTTP.param(context, "chat") ?? ""),
            token.kind == .app || chat.includes(me)
        else {
            throw SimError.notFound(code: "NotFound", message: "Chat not found.")
        }
        return (chat, me)
    }

    private func chatMessage(_ context: BasicRequestContext, _ token: SimToken, chat: SimConversation, includeDeleted: Bool) throws
        -> SimChatMessage
    {
        guard let message = state.chatMessage(token.organization, .teams, SimHTTP.param(context, "message") ?? ""),
            message.conversation == chat.id, includeDeleted || !message.deleted
        else { throw SimError.notFound(code: "NotFound", message: "Message not found.") }
        return message
    }

    private static func content(_ request: Request) async throws -> String {
        let body = await SimHTTP.jsonBody(request)
        guard let content = (body?["body"] as? [String: Any])?["content"] as? String, !content.isEmpty else {
            throw SimError.badRequest(code: "BadRequest", message: "The message body is empty.")
        }
        return content
    }

    /// A chatMessage as Graph shows it.
    private func wireMessage(_ message: SimChatMessage, _ token: SimToken) -> [String: AnyCodable] {
        let (name, tenant, botAppID) = state.store.withLock { store in
            let organization = store.organizations[token.organization]
            return (
                organization?.directory(.teams).account(message.author)?.displayName ?? "",
                organization?.credentials.teams.tenantID ?? "", organization?.credentials.teams.botAppID ?? ""
            )
        }
        let created = SimChatEvents.iso(message.at)
        let from: AnyCodable =
            message.author == SimChat.bot
            ? .object(["application": .object(["id": .string(botAppID), "displayName": "UserSync", "applicationIdentityType": "bot"])])
            : .object([
                "user": .object([
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": .string(message.author), "displayName": .string(name),
                    "userIdentityType": "aadUser", "tenantId": .string(tenant),
                ])
            ])
        return [
            "id": .string(message.id), "replyToId": .optional(message.thread), "etag": .string(message.id), "messageType": "message",
            "createdDateTime": .string(created), "lastModifiedDateTime": .string(created),
            "lastEditedDateTime": message.edited ? .string(created) : nil, "deletedDateTime": message.deleted ? .string(created) : nil,
            "chatId": .string(message.conversation), "importance": "normal", "locale": "en-us", "from": from,
            "body": .object(["contentType": "html", "content": .string(message.deleted ? "" : message.text)]),
            "attachments": [], "mentions": [], "reactions": [],
        ]
    }
}
