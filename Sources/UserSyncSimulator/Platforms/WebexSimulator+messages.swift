import Foundation
import Hummingbird

/// Webex messages in direct rooms (platform-apis.md §4.4, docs/relay.md): `POST /messages` (the
/// bot, or a person with their token; `toPersonId`, `toPersonEmail` or `roomId`; `markdown` or
/// `text`; `parentId`), `GET`, `PUT` and `DELETE /messages/{id}`, `GET /memberships?roomId=`.
extension WebexSimulator {
    func registerMessages(_ router: Router<BasicRequestContext>) {
        let everyone: Set<SimToken.Kind> = [.bot, .app, .user]
        route(router, .post, "/webex/v1/messages", "messages", kinds: everyone) { request, _, token in try await postMessage(request, token) }
        route(router, .get, "/webex/v1/messages/direct", "messages.direct", kinds: everyone) { request, _, token in
            try directMessages(SimHTTP.query(request), token)
        }
        route(router, .get, "/webex/v1/messages/:id", "messages.get", kinds: everyone) { _, context, token in
            let message = try visibleMessage(context, token)
            return SimHTTP.json(try wire(message, token))
        }
        route(router, .put, "/webex/v1/messages/:id", "messages.update", kinds: everyone) { request, context, token in
            let message = try visibleMessage(context, token)
            let body = await SimHTTP.jsonBody(request) ?? [:]
            if let room = body["roomId"] as? String, room != message.conversation {
                throw SimError.badRequest(code: "400", message: "The roomId does not match the message.")
            }
            let text = body["markdown"] as? String ?? body["text"] as? String ?? ""
            guard !text.isEmpty else { throw SimError.badRequest(code: "400", message: "Message text is required.") }
            guard case .success(let edited) = state.edit(token.organization, .webex, message.id, by: member(token), text: text) else {
                throw SimError.forbidden(code: "403", message: "Only the author can edit a message.")
            }
            return SimHTTP.json(try wire(edited, token))
        }
        route(router, .delete, "/webex/v1/messages/:id", "messages.delete", kinds: everyone) { _, context, token in
            let message = try visibleMessage(context, token)
            guard case .success = state.delete(token.organization, .webex, message.id, by: member(token)) else {
                throw SimError.forbidden(code: "403", message: "Only the author can delete a message.")
            }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
        route(router, .get, "/webex/v1/memberships", "memberships", kinds: everyone) { request, _, token in
            try memberships(SimHTTP.query(request)["roomId"], token)
        }
    }

    /// The messages of the token's 1:1 room with `personId`, newest first, up to `max` (50 by default).
    private func directMessages(_ query: [String: String], _ token: SimToken) throws -> SimReply {
        guard let person = query["personId"], !person.isEmpty else {
            throw SimError.badRequest(code: "400", message: "personId or personEmail is required.")
        }
        let limit = min(max(query["max"].flatMap(Int.init) ?? 50, 1), 1000)
        guard let room = state.openConversation(token.organization, .webex, member(token), person) else {
            throw SimError.notFound(code: "404", message: "Person not found.")
        }
        let messages = state.newestMessages(token.organization, .webex, conversation: room.id, limit: limit)
        return SimHTTP.json(["items": .array(try messages.map { .object(try wire($0, token)) })] as [String: AnyCodable])
    }

    /// Who a token speaks as: the bot for the bot (and admin) token, else the person.
    func member(_ token: SimToken) -> String { token.kind == .user ? token.userID ?? "" : SimChat.bot }

    private func postMessage(_ request: Request, _ token: SimToken) async throws -> SimReply {
        let body = await SimHTTP.jsonBody(request) ?? [:]
        let me = member(token)
        let directory = try organization(token).directory(.webex)
        let recipient: String?
        if let room = body["roomId"] as? String {
            guard let conversation = state.conversation(token.organization, .webex, room), conversation.includes(me) else {
                throw SimError.notFound(code: "404", message: "Room not found.")
            }
            recipient = conversation.other(than: me)
        } else if let id = body["toPersonId"] as? String {
            recipient = directory.accountIndex[id].flatMap { directory.accounts[$0].removed ? nil : directory.accounts[$0].id }
        } else if let email = body["toPersonEmail"] as? String {
            recipient = directory.find(login: email).map { directory.accounts[$0].id }
        } else {
            throw SimError.badRequest(code: "400", message: "Either roomId, toPersonId or toPersonEmail must be provided.")
        }
        guard let recipient else { throw SimError.notFound(code: "404", message: "Person not found.") }
        let text = body["text"] as? String ?? ""
        let markdown = body["markdown"] as? String ?? ""
        guard !text.isEmpty || !markdown.isEmpty else { throw SimError.badRequest(code: "400", message: "Message text is required.") }
        var post = SimChatPost(
            platform: .webex, author: me, recipient: recipient, text: markdown.isEmpty ? text : markdown, thread: body["parentId"] as? String,
            persona: me == SimChat.bot ? SimPersona.heading(markdown.isEmpty ? text : markdown) : nil, viaApp: true)
        post.recipientMayBeInactive = true
        let message: SimChatMessage
        switch state.post(token.organization, post) {
        case .success(let stored): message = stored
        case .failure(.unknownThread): throw SimError.badRequest(code: "400", message: "The parent message was not found in this room.")
        case .failure(.unknownUser), .failure(.isBot): throw SimError.notFound(code: "404", message: "Person not found.")
        case .failure: throw SimError.badRequest(code: "400", message: "The message could not be sent.")
        }
        if me == SimChat.bot {
            state.store.withLock {
                $0.messages.append(
                    SimMessage(
                        organization: token.organization, platform: .webex, to: recipient, text: text.isEmpty ? markdown : text,
                        link: firstLink(in: markdown) ?? firstLink(in: text), at: Date()))
            }
        }
        var reply = try wire(message, token)
        if body["roomId"] == nil { reply["toPersonId"] = .string(recipient) }
        return SimHTTP.json(reply)
    }

    /// A message of a room the token's owner is in (the admin token reads every room).
    private func visibleMessage(_ context: BasicRequestContext, _ token: SimToken) throws -> SimChatMessage {
        let id = SimHTTP.param(context, "id") ?? ""
        guard let message = state.chatMessage(token.organization, .webex, id), !message.deleted,
            token.kind == .app || [message.author, message.recipient].contains(member(token))
        else { throw SimError.notFound(code: "404", message: "Message not found.") }
        return message
    }

    private func memberships(_ roomID: String?, _ token: SimToken) throws -> SimReply {
        guard let roomID else { throw SimError.badRequest(code: "400", message: "roomId is required.") }
        guard let room = state.conversation(token.organization, .webex, roomID), token.kind == .app || room.includes(member(token)) else {
            throw SimError.notFound(code: "404", message: "Room not found.")
        }
        let organization = try organization(token)
        let items: [AnyCodable] = room.members.map { member in
            let account = organization.directory(.webex).account(member)
            return .object([
                "id": .string(SimChat.webexID("MEMBERSHIP", "\(roomID):\(member)")), "roomId": .string(roomID),
                "personId": .string(WebexEvents.personID(member)),
                "personEmail": .string(member == SimChat.bot ? WebexEvents.botEmail : account?.primaryEmail ?? ""),
                "personDisplayName": .string(member == SimChat.bot ? "UserSync" : account?.displayName ?? ""),
                "personOrgId": .string(organization.credentials.webex.orgID), "isModerator": false, "isMonitor": false, "roomType": "direct",
                "created": "2024-03-04T12:00:00.000Z",
            ])
        }
        return SimHTTP.json(["items": .array(items)] as [String: AnyCodable])
    }

    /// A message as Webex shows it: `markdown` as sent and `text` without its emphasis marks.
    private func wire(_ message: SimChatMessage, _ token: SimToken) throws -> [String: AnyCodable] {
        let account = try organization(token).directory(.webex).account(message.author)
        var fields: [String: AnyCodable] = [
            "id": .string(message.id), "roomId": .string(message.conversation), "roomType": "direct",
            "text": .string(message.text.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "~~", with: "")),
            "markdown": .string(message.text), "personId": .string(WebexEvents.personID(message.author)),
            "personEmail": .string(message.author == SimChat.bot ? WebexEvents.botEmail : account?.primaryEmail ?? ""),
            "created": .string(SimChatEvents.iso(message.at)),
        ]
        if let thread = message.thread { fields["parentId"] = .string(thread) }
        if message.edited { fields["updated"] = .string(SimChatEvents.iso(state.configuration.now())) }
        if !message.files.isEmpty { fields["files"] = .array(message.files.map { .string($0.url) }) }
        return fields
    }
}
