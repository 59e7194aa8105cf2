import Foundation
import UserSyncDomain

/// The relay's Webex half (docs/relay.md "Webex"): `POST /messages` to the person, as the linked
/// person (their token) or as the bot with the persona's name and label as the first line;
/// `PUT` and `DELETE /messages/{id}`; the text of a delivery fetched with `GET /messages/{id}`;
/// the relay's webhook registered with the bot token.
extension WebexConnector: RelayConnector {
    static let webhookName = "usersync relay"

    private var botToken: String { credentials.botToken ?? credentials.adminToken }

    private func author(_ sender: RelaySender) -> (token: String, credential: PlatformRequest.Credential) {
        switch sender {
        case .linkedAccount(_, let tokens): (tokens.accessToken, .user)
        case .persona: (botToken, .app)
        }
    }

    /// The text as posted: a persona's name and label first, in bold, escaped so that a name
    /// cannot format (or fake) anything.
    static func markdown(_ text: String, as sender: RelaySender) -> String {
        guard let head = sender.personaHead else { return text }
        var escaped = ""
        for character in head {
            if "\\`*_~[]<>#|".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return "**\(escaped)**\n\n\(text)"
    }

    private func messageURL(_ id: String) -> String { "\(endpoints.api)/messages/\(FormEncoding.escape(id))" }

    public func post(_ post: RelayPost) async throws(PlatformFailure) -> RelayedMessage {
        let author = author(post.sender)
        let markdown = Self.markdown(post.text, as: post.sender)
        let body = WebexRelayMessageBody(toPersonId: post.recipientUserID, markdown: markdown, text: markdown, parentId: post.threadID)
        let answer = try await http.sendJSON(
            .json("\(endpoints.api)/messages", endpoint: "messages", body: body, bearer: author.token, credential: author.credential),
            as: WebexMessageDetail.self)
        guard let id = answer.id else {
            throw PlatformFailure(.malformedResponse, platform: .webex, message: "the message was sent but Webex returned no id")
        }
        return RelayedMessage(conversationID: answer.roomId ?? "", messageID: id)
    }

    public var findsEarlierPosts: Bool { true }

    /// The 1:1 room's messages (`GET /messages/direct?personId=`, newest first) not written by the
    /// recipient, with exactly the markdown this post would have, created since `since`.
    public func posted(_ post: RelayPost, since: Date) async throws(PlatformFailure) -> [RelayedMessage] {
        let author = author(post.sender)
        let markdown = Self.markdown(post.text, as: post.sender)
        let url = FormEncoding.url("\(endpoints.api)/messages/direct", [("personId", post.recipientUserID), ("max", "50")])
        let listed = try await http.sendJSON(
            .get(url, endpoint: "messages.direct", bearer: author.token, credential: author.credential), as: WebexDirectMessages.self)
        return (listed.items ?? []).reversed().compactMap { message in
            guard let id = message.id, message.personId != post.recipientUserID, message.markdown == markdown,
                let created = parseEventDate(message.created), created >= since
            else { return nil }
            return RelayedMessage(conversationID: message.roomId ?? "", messageID: id)
        }
    }

    public func edit(
        _ message: RelayedMessage, sender: RelaySender, recipientUserID: String, text: String
    ) async throws(PlatformFailure) {
        let author = author(sender)
        let markdown = Self.markdown(text, as: sender)
        let body = WebexRelayMessageBody(roomId: message.conversationID, markdown: markdown, text: markdown)
        try await http.send(
            .json(
                messageURL(message.messageID), method: .PUT, endpoint: "messages.update", body: body, bearer: author.token,
                credential: author.credential, idempotent: true)
        ) { _ throws(PlatformFailure) in () }
    }

    public func delete(_ message: RelayedMessage, sender: RelaySender, recipientUserID: String) async throws(PlatformFailure) {
        let author = author(sender)
        var request = PlatformRequest.get(
            messageURL(message.messageID), endpoint: "messages.delete", bearer: author.token, credential: author.credential)
        request.method = .DELETE
        do {
            try await http.send(request) { _ throws(PlatformFailure) in () }
        } catch  where error.cause == .targetNotFound {
            return  // already gone
        }
    }

    /// Fetches what the delivery did not carry, with the bot token: the text (`markdown`, else
    /// `text`), the thread and the files of `GET /messages/{id}` (not for a deletion), and the
    /// room's other member (the webhook's owner, else `toPersonId`, else `GET /memberships?roomId=`).
    /// When that member is the bot (`people/me`), the event is a reply to a persona.
    public func complete(_ event: InboundEvent) async throws(PlatformFailure) -> InboundEvent {
        try await complete(event, bearer: botToken, credential: .app)
    }

    /// The same with the token of the person whose webhook reported a DM to their linked account.
    public func complete(_ event: InboundEvent, readingAs tokens: UserTokens) async throws(PlatformFailure) -> InboundEvent {
        try await complete(event, bearer: tokens.accessToken, credential: .user)
    }

    private func complete(
        _ event: InboundEvent, bearer: String, credential: PlatformRequest.Credential
    ) async throws(PlatformFailure) -> InboundEvent {
        var completed = event
        var other = event.recipientUserID
        if event.kind != .delete {
            let message = try await http.sendJSON(
                .get(messageURL(event.messageID), endpoint: "messages.get", bearer: bearer, credential: credential), as: WebexMessageDetail.self)
            completed.text = message.markdown ?? message.text ?? ""
            completed.threadID = message.parentId
            completed.files = (message.files ?? []).map { InboundFile(name: "file", url: $0) }
            if other == nil, let to = message.toPersonId, to != event.senderUserID { other = to }
        }
        if other == nil {
            let members = try await http.sendJSON(
                .get(
                    FormEncoding.url("\(endpoints.api)/memberships", [("roomId", event.conversationID)]), endpoint: "memberships",
                    bearer: bearer, credential: credential), as: WebexItems<WebexMembership>.self)
            other = members.items.compactMap(\.personId).first { $0 != event.senderUserID }
        }
        guard let other else {
            throw PlatformFailure(.targetNotFound, platform: .webex, message: "the direct room has no other member")
        }
        let bot = try await botIdentity.userID { () async throws(PlatformFailure) in
            try await get("\(endpoints.api)/people/me", endpoint: "people.me", bearer: botToken, as: WebexPerson.self).id
        }
        completed.toBot = other == bot
        completed.recipientUserID = other == bot ? nil : other
        return completed
    }

    /// Registers the relay's webhook (`messages`, every event) with the bot token unless one with
    /// `url` exists; one that Webex disabled, or that was registered with another secret, is
    /// updated in place.
    public func subscribeToEvents(url: String, secret: String) async throws(PlatformFailure) {
        try await subscribe(url: url, secret: secret, bearer: botToken, credential: .app)
    }

    /// The same with a linked person's token: Webex then reports every message of their rooms,
    /// so the relay hears DMs to their linked account.
    public func subscribeToEvents(url: String, secret: String, of tokens: UserTokens, renewing: RelaySubscription?) async throws(PlatformFailure)
        -> RelaySubscription?
    {
        try await subscribe(url: url, secret: secret, bearer: tokens.accessToken, credential: .user)
        return nil  // a webhook does not lapse
    }

    public var hearsLinkedAccountsBySubscription: Bool { true }

    private func subscribe(url: String, secret: String, bearer: String, credential: PlatformRequest.Credential) async throws(PlatformFailure) {
        let hooks = "\(endpoints.api)/webhooks"
        let existing = try await http.sendJSON(
            .get(FormEncoding.url(hooks, [("max", "100")]), endpoint: "webhooks", bearer: bearer, credential: credential),
            as: WebexItems<WebexWebhook>.self
        )
        .items.first { $0.targetUrl == url && $0.resource == "messages" }
        if let existing, let id = existing.id {
            guard existing.status == "inactive" || existing.secret.map({ $0 != secret }) ?? false else { return }
            let body = WebexWebhook(name: Self.webhookName, targetUrl: url, secret: secret, status: "active")
            try await http.send(
                .json(
                    "\(hooks)/\(FormEncoding.escape(id))", method: .PUT, endpoint: "webhooks.update", body: body, bearer: bearer,
                    credential: credential, idempotent: true)
            ) { _ throws(PlatformFailure) in () }
        } else {
            let body = WebexWebhook(name: Self.webhookName, targetUrl: url, resource: "messages", event: "all", secret: secret)
            try await http.send(.json(hooks, endpoint: "webhooks.create", body: body, bearer: bearer, credential: credential)) {
                _ throws(PlatformFailure) in ()
            }
        }
    }
}
