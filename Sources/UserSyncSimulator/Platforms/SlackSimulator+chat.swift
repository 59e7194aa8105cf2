import Foundation
import Hummingbird
import UserSyncDomain

/// Slack's DM methods (platform-apis.md §1.4, docs/relay.md): `conversations.open` and
/// `conversations.members`, `chat.postMessage` (the bot, optionally as a persona with `username`
/// and `icon_url`, or a person with their user token), `chat.update`, `chat.delete`.
extension SlackSimulator {
    /// Who a token speaks as: the app's bot for the bot token, else the person who authorized it.
    private func member(_ token: SimToken) -> String { token.kind == .user ? token.userID ?? "" : SimChat.bot }

    /// A user a DM can be opened with.
    private func reachable(_ userID: String, _ token: SimToken) throws -> String {
        guard let account = try organization(token).directory(.slack).account(userID) else {
            throw SimError.notFound(code: "user_not_found", message: "")
        }
        if account.bot { throw SimError.badRequest(code: "is_bot", message: "") }
        if !account.active { throw SimError.badRequest(code: "user_disabled", message: "") }
        return account.id
    }

    /// The DM `channel` names: a `D…` id, or for the bot token a user id (Slack posts that to the
    /// app's DM with the user).
    private func conversation(_ token: SimToken, _ fields: [String: String]) throws -> SimConversation {
        let channel = fields["channel"] ?? ""
        if let found = state.conversation(token.organization, .slack, channel) { return found }
        if token.kind != .user, channel.hasPrefix("U"), channel != SlackEvents.botUserID {
            let userID = try reachable(channel, token)
            if let opened = state.openConversation(token.organization, .slack, userID, SimChat.bot) { return opened }
        }
        throw SimError.notFound(code: "channel_not_found", message: "")
    }

    func conversationsOpen(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        guard let userID = fields["users"]?.split(separator: ",").first.map(String.init) else {
            throw SimError.badRequest(code: "users_list_not_supplied", message: "")
        }
        let me = member(token)
        let other = try userID == SlackEvents.botUserID && me != SimChat.bot ? SimChat.bot : reachable(userID, token)
        guard other != me, let conversation = state.openConversation(token.organization, .slack, me, other) else {
            throw SimError.badRequest(code: "invalid_users", message: "")
        }
        return SimHTTP.json(["ok": true, "channel": .object(["id": .string(conversation.id)])] as [String: AnyCodable])
    }

    /// The DM's members. A person's token sees their own DMs; the bot token sees every DM (the
    /// relay looks up the other member of DMs its authorized people are in).
    func conversationsMembers(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        guard let conversation = state.conversation(token.organization, .slack, fields["channel"] ?? ""),
            token.kind != .user || conversation.includes(member(token))
        else { throw SimError.notFound(code: "channel_not_found", message: "") }
        let members = conversation.members.map { AnyCodable.string($0 == SimChat.bot ? SlackEvents.botUserID : $0) }
        return SimHTTP.json(
            ["ok": true, "members": .array(members), "response_metadata": .object(["next_cursor": ""])] as [String: AnyCodable])
    }

    func postMessage(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        let me = member(token)
        let conversation = try conversation(token, fields)
        guard conversation.includes(me), let recipient = conversation.other(than: me) else {
            throw SimError.forbidden(code: me == SimChat.bot ? "not_in_channel" : "channel_not_found", message: "")
        }
        let text = fields["text"] ?? ""
        guard !text.isEmpty || fields["blocks"] != nil else { throw SimError.badRequest(code: "no_text", message: "") }
        let persona = me == SimChat.bot ? SimPersona.slack(username: fields["username"], iconURL: fields["icon_url"]) : nil
        let post = SimChatPost(
            platform: .slack, author: me, recipient: recipient, text: text, thread: fields["thread_ts"].flatMap { $0.isEmpty ? nil : $0 },
            persona: persona, viaApp: true, metadata: fields["metadata"].flatMap { $0.isEmpty ? nil : $0 })
        let message = try Self.posted(state.post(token.organization, post))
        if me == SimChat.bot {
            let link = firstLink(in: fields["blocks"] ?? "") ?? firstLink(in: text)
            state.store.withLock {
                $0.messages.append(SimMessage(organization: token.organization, platform: .slack, to: recipient, text: text, link: link, at: Date()))
            }
        }
        return SimHTTP.json(
            ["ok": true, "channel": .string(conversation.id), "ts": .string(message.id), "message": Self.wire(message)] as [String: AnyCodable])
    }

    /// A DM's messages newest first, after `oldest`, up to `limit`; with `include_all_metadata`,
    /// each message's metadata. A person's token reads their own DMs; the bot token the bot's.
    func conversationsHistory(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        guard let conversation = state.conversation(token.organization, .slack, fields["channel"] ?? ""), conversation.includes(member(token))
        else { throw SimError.notFound(code: "channel_not_found", message: "") }
        let oldest = fields["oldest"].flatMap(Double.init) ?? 0
        let limit = min(max(fields["limit"].flatMap(Int.init) ?? 100, 1), 999)
        let withMetadata = fields["include_all_metadata"] == "true" || fields["include_all_metadata"] == "1"
        let messages = state.newestMessages(token.organization, .slack, conversation: conversation.id, limit: limit) { (Double($0.id) ?? 0) > oldest }
            .map { message -> AnyCodable in
                guard withMetadata, let json = message.metadata, case .object(var fields) = Self.wire(message),
                    let metadata = try? JSONDecoder().decode(AnyCodable.self, from: Data(json.utf8))
                else { return Self.wire(message) }
                fields["metadata"] = metadata
                return .object(fields)
            }
        return SimHTTP.json(["ok": true, "messages": .array(messages), "has_more": false] as [String: AnyCodable])
    }

    func updateMessage(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        let (conversation, ts) = try target(token, fields)
        let text = fields["text"] ?? ""
        guard !text.isEmpty || fields["blocks"] != nil else { throw SimError.badRequest(code: "no_text", message: "") }
        switch state.edit(token.organization, .slack, ts, by: member(token), text: text) {
        case .success(let message):
            return SimHTTP.json(
                [
                    "ok": true, "channel": .string(conversation.id), "ts": .string(ts), "text": .string(text), "message": Self.wire(message),
                ] as [String: AnyCodable])
        case .failure(.notAuthor): throw SimError.forbidden(code: "cant_update_message", message: "")
        case .failure: throw SimError.notFound(code: "message_not_found", message: "")
        }
    }

    func deleteMessage(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        let (conversation, ts) = try target(token, fields)
        switch state.delete(token.organization, .slack, ts, by: member(token)) {
        case .success: return SimHTTP.json(["ok": true, "channel": .string(conversation.id), "ts": .string(ts)] as [String: AnyCodable])
        case .failure(.notAuthor): throw SimError.forbidden(code: "cant_delete_message", message: "")
        case .failure: throw SimError.notFound(code: "message_not_found", message: "")
        }
    }

    /// The DM and the message (`ts`) in it that `chat.update` or `chat.delete` names.
    private func target(_ token: SimToken, _ fields: [String: String]) throws -> (SimConversation, String) {
        guard let conversation = state.conversation(token.organization, .slack, fields["channel"] ?? "") else {
            throw SimError.notFound(code: "channel_not_found", message: "")
        }
        let ts = fields["ts"] ?? ""
        guard let message = state.chatMessage(token.organization, .slack, ts), message.conversation == conversation.id, !message.deleted else {
            throw SimError.notFound(code: "message_not_found", message: "")
        }
        return (conversation, ts)
    }

    /// The stored message, or Slack's word for why not.
    static func posted(_ result: Result<SimChatMessage, SimChatFailure>) throws -> SimChatMessage {
        switch result {
        case .success(let message): return message
        case .failure(.unknownThread): throw SimError.notFound(code: "thread_not_found", message: "")
        case .failure(.inactiveUser): throw SimError.badRequest(code: "user_disabled", message: "")
        case .failure(.unknownUser), .failure(.unknownConversation), .failure(.notMember):
            throw SimError.notFound(code: "channel_not_found", message: "")
        case .failure: throw SimError.badRequest(code: "invalid_arguments", message: "")
        }
    }

    /// A message as Slack's answers show it.
    static func wire(_ message: SimChatMessage) -> AnyCodable {
        var fields: [String: AnyCodable] = ["type": "message", "text": .string(message.text), "ts": .string(message.id)]
        if message.author == SimChat.bot {
            fields["bot_id"] = .string(SlackEvents.botID)
            fields["app_id"] = .string(SlackEvents.appID)
            if let persona = message.persona {
                fields["subtype"] = "bot_message"
                fields["username"] = .string(persona.label.map { "\(persona.name) (\($0))" } ?? persona.name)
                fields["icons"] = persona.avatarURL.map { .object(["image_48": .string($0)]) } ?? .null
            } else {
                fields["user"] = .string(SlackEvents.botUserID)
            }
        } else {
            fields["user"] = .string(message.author)
        }
        if let thread = message.thread { fields["thread_ts"] = .string(thread) }
        if message.edited { fields["edited"] = .object(["user": fields["user"] ?? .null, "ts": .string(message.id)]) }
        return .object(fields)
    }
}
