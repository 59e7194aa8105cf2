import Foundation
import UserSyncDomain

/// Simulated people writing DMs, and the events the platforms send about them
/// (docs/relay.md). The control API's chat routes call these.
extension PlatformSimulator {
    /// Sets where a platform sends the organization's events, after its handshake (Slack, Zoom).
    /// Teams activities name `simulatorURL` + `/botframework/` as their `serviceUrl`. False when
    /// the platform ignores event URLs (Webex: it uses webhooks).
    @discardableResult
    public func setEventURL(organization: String, platform: Platform, url: String?, simulatorURL: String) async throws(SimEventURLError)
        -> Bool
    {
        let base = configuration.publicURL ?? simulatorURL
        let serviceURL = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/botframework/"
        return try await SimEventURLs(state: state).set(organization: organization, platform: platform, url: url, serviceURL: serviceURL)
    }

    /// A person writes a DM in their client: stored, and the platform's events sent.
    public func writeMessage(organization: String, platform: Platform, _ write: SimChatWrite) throws(SimChatWriteError) -> SimWrittenMessage {
        let recipient = write.to == "bot" ? SimChat.bot : write.to
        guard write.from != SimChat.bot else { throw .refused("people write messages; the app posts through the platform's API") }
        if platform == .teams, recipient == SimChat.bot {
            // A person writing to the bot has the app installed (they add it from the catalog).
            _ = state.withOrganization(organization) { organization in
                if organization.installations[write.from] == nil, organization.directory(.teams).account(write.from) != nil {
                    organization.installations[write.from] =
                        "inst-" + String(stableHash(write.from + organization.credentials.teams.teamsAppID), radix: 16)
                }
            }
        }
        let post = SimChatPost(
            platform: platform, author: write.from, recipient: recipient, text: write.text, thread: write.thread, files: write.files ?? [],
            viaApp: false)
        switch state.post(organization, post) {
        case .success(let message):
            SimChatEvents(state: state).emit(.created, message, organization: organization)
            return SimWrittenMessage(id: message.id, conversation: message.conversation)
        case .failure(let failure):
            throw failure.writeError(platform)
        }
    }

    /// The author edits a message they wrote.
    public func editMessage(organization: String, platform: Platform, id: String, text: String) throws(SimChatWriteError) -> SimWrittenMessage {
        let previous = try personalMessage(organization, platform, id)
        switch state.edit(organization, platform, id, by: previous.author, text: text) {
        case .success(let message):
            SimChatEvents(state: state).emit(.edited, message, previous: previous, organization: organization)
            return SimWrittenMessage(id: message.id, conversation: message.conversation)
        case .failure(let failure):
            throw failure.writeError(platform)
        }
    }

    /// The author deletes a message they wrote.
    public func deleteMessage(organization: String, platform: Platform, id: String) throws(SimChatWriteError) {
        let author = try personalMessage(organization, platform, id).author
        switch state.delete(organization, platform, id, by: author) {
        case .success(let message): SimChatEvents(state: state).emit(.deleted, message, organization: organization)
        case .failure(let failure): throw failure.writeError(platform)
        }
    }

    /// A message a person wrote, which the control API may change as its author.
    private func personalMessage(_ organization: String, _ platform: Platform, _ id: String) throws(SimChatWriteError) -> SimChatMessage {
        guard state.summary(organization) != nil else { throw .unknownOrganization }
        guard let message = state.chatMessage(organization, platform, id), !message.deleted else { throw .notFound("no such message") }
        guard message.author != SimChat.bot else { throw .refused("the app's messages are changed through the platform's API") }
        return message
    }

    /// Every message `user` (a platform user id, or `bot`) received, oldest first; nil for an
    /// unknown organization.
    public func inbox(organization: String, platform: Platform, user: String) -> [SimInboxMessage]? {
        state.store.withLock { store -> [SimInboxMessage]? in
            guard let organization = store.organizations[organization] else { return nil }
            let directory = organization.directory(platform)
            return organization.chat.messages.filter { $0.platform == platform && $0.recipient == user && $0.author != user }.map { message in
                SimInboxMessage(
                    id: message.id, conversation: message.conversation, from: message.author,
                    name: message.persona?.name
                        ?? (message.author == SimChat.bot ? "UserSync" : directory.account(message.author)?.displayName ?? ""),
                    label: message.persona?.label, avatarURL: message.persona?.avatarURL, text: message.text, thread: message.thread,
                    files: message.files, edited: message.edited, deleted: message.deleted, at: message.at)
            }
        }
    }

    /// Every stored message of a platform, oldest first.
    public func chatMessages(organization: String, platform: Platform) -> [SimChatMessage] {
        state.store.withLock { $0.organizations[organization]?.chat.messages.filter { $0.platform == platform } ?? [] }
    }

    /// How many of the messages on `platform` match, counted in place: a benchmark polls this
    /// while the simulator takes posts, which a copy of every message would hold up.
    public func chatMessageCount(organization: String, platform: Platform, where matches: (SimChatMessage) -> Bool) -> Int {
        state.store.withLock { $0.organizations[organization]?.chat.messages.count { $0.platform == platform && matches($0) } ?? 0 }
    }

    /// Every event delivery attempt and handshake, oldest first.
    public func eventDeliveries() -> [SimEventDelivery] { state.store.withLock { $0.eventDeliveries } }

    public func clearEventDeliveries() { state.store.withLock { $0.eventDeliveries = [] } }

    /// Returns when every event queued so far has been delivered or given up on.
    public func eventsSettled() async { await state.events.settle() }

    /// The Webex webhooks registered for an organization.
    public func webexWebhooks(organization: String) -> [SimWebexWebhook] {
        state.store.withLock { $0.organizations[organization]?.chat.webhooks ?? [] }
    }

    /// Tokens for a person as if they had just authorized the app through its consent client;
    /// nil for an unknown organization or a user who is not an active person there.
    public func grantUserToken(organization: String, platform: Platform, userID: String) -> SimGrantedTokens? {
        let clientID: String? = state.store.withLock { store in
            guard let organization = store.organizations[organization], let account = organization.directory(platform).account(userID),
                account.active, !account.bot
            else { return nil }
            let c = organization.credentials
            return switch platform {
            case .slack: c.slack.clientID
            case .teams: c.teams.clientID
            case .zoom: c.zoom.chatbotClientID
            case .webex: c.webex.clientID
            }
        }
        guard let clientID else { return nil }
        let issued = SimOAuth(state: state).issue(organization: organization, platform: platform, userID: userID, clientID: clientID)
        return SimGrantedTokens(accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresIn: issued.expiresIn)
    }
}
