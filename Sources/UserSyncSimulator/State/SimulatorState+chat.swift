import Foundation
import UserSyncDomain

/// Why a chat operation was refused; each platform says it in its own words.
enum SimChatFailure: Error, Equatable {
    case unknownOrganization
    case unknownUser(String)
    case inactiveUser(String)
    case isBot(String)
    case sameUser
    case unknownConversation
    case notMember
    case unknownMessage
    case unknownThread
    case notAuthor
    case emptyText
}

/// A message to store: who writes to whom, and what.
struct SimChatPost: Sendable {
    var platform: Platform
    /// A platform user id, or ``SimChat/bot``.
    var author: String
    var recipient: String
    var text: String
    var thread: String?
    var files: [SimChatFile] = []
    var persona: SimPersona?
    var viaApp: Bool
    /// Webex takes messages to deactivated people (the prompts always could be sent there).
    var recipientMayBeInactive = false
    var metadata: String? = nil
}

extension SimulatorState {
    /// Stores a message in the DM of its author and recipient, opening the DM if it is new. A
    /// thread names any message of that DM; the reply is filed under the thread's first message.
    /// Every message stored, edited or deleted here is told to Graph chat message subscriptions
    /// (GraphSimulator+chatSubscriptions.swift), however it was written.
    func post(_ organization: String, _ post: SimChatPost) -> Result<SimChatMessage, SimChatFailure> {
        let now = configuration.now()
        // In place, so that the organization's messages are not copied for each new one.
        let result = withOrganization(organization) { organization -> Result<SimChatMessage, SimChatFailure> in
            let directory = organization.directory(post.platform)
            if let failure = Self.checkMembers(post.author, post.recipient, in: directory, inactiveRecipient: post.recipientMayBeInactive) {
                return .failure(failure)
            }
            let conversation = organization.chat.open(post.platform, post.author, post.recipient, credentials: organization.credentials)
            var thread: String?
            if let parent = post.thread {
                guard let found = organization.chat.message(post.platform, parent), found.conversation == conversation.id else {
                    return .failure(.unknownThread)
                }
                thread = found.thread ?? found.id
            }
            let message = SimChatMessage(
                id: organization.chat.nextMessageID(post.platform, now: now), platform: post.platform, conversation: conversation.id,
                author: post.author, recipient: post.recipient, persona: post.persona, text: post.text, thread: thread, files: post.files,
                edited: false, deleted: false, viaApp: post.viaApp, at: now, metadata: post.metadata)
            organization.chat.append(message)
            return .success(message)
        }
        if case .success(let message) = result { GraphSimulator.notifyChatMessageChanged(state: self, organization: organization, message, .created) }
        return result ?? .failure(.unknownOrganization)
    }

    /// Both members exist, are listed and active, are not the same, and are not bots of the platform.
    private static func checkMembers(
        _ author: String, _ recipient: String, in directory: SimPlatformDirectory, inactiveRecipient: Bool
    ) -> SimChatFailure? {
        if author == recipient { return .sameUser }
        for member in [author, recipient] where member != SimChat.bot {
            guard let account = directory.account(member) else { return .unknownUser(member) }
            if account.bot { return .isBot(member) }
            if !account.active && !(inactiveRecipient && member == recipient) { return .inactiveUser(member) }
        }
        return nil
    }

    /// Replaces a message's text, by its author only.
    func edit(_ organization: String, _ platform: Platform, _ id: String, by author: String, text: String) -> Result<SimChatMessage, SimChatFailure> {
        change(organization, platform, id, by: author, .edited) {
            $0.text = text
            $0.edited = true
        }
    }

    /// Marks a message deleted, by its author only.
    func delete(_ organization: String, _ platform: Platform, _ id: String, by author: String) -> Result<SimChatMessage, SimChatFailure> {
        change(organization, platform, id, by: author, .deleted) { $0.deleted = true }
    }

    private func change(
        _ organization: String, _ platform: Platform, _ id: String, by author: String, _ kind: SimChatChange,
        _ body: (inout SimChatMessage) -> Void
    ) -> Result<SimChatMessage, SimChatFailure> {
        let result = store.withLock { store -> Result<SimChatMessage, SimChatFailure> in
            guard store.organizations[organization] != nil else { return .failure(.unknownOrganization) }
            guard let message = store.organizations[organization]?.chat.message(platform, id), !message.deleted else {
                return .failure(.unknownMessage)
            }
            guard message.author == author else { return .failure(.notAuthor) }
            return store.organizations[organization]?.chat.update(platform, id, body).map { .success($0) } ?? .failure(.unknownMessage)
        }
        if case .success(let message) = result { GraphSimulator.notifyChatMessageChanged(state: self, organization: organization, message, kind) }
        return result
    }

    /// A conversation's newest messages that are not deleted (and that `keep`), newest first:
    /// what the platforms' message lists answer.
    func newestMessages(
        _ organization: String, _ platform: Platform, conversation: String, limit: Int, where keep: (SimChatMessage) -> Bool = { _ in true }
    ) -> [SimChatMessage] {
        let messages = store.withLock {
            $0.organizations[organization]?.chat.messages.filter { $0.platform == platform && $0.conversation == conversation } ?? []
        }
        return Array(messages.filter { !$0.deleted && keep($0) }.suffix(limit).reversed())
    }

    func chatMessage(_ organization: String, _ platform: Platform, _ id: String) -> SimChatMessage? {
        store.withLock { $0.organizations[organization]?.chat.message(platform, id) }
    }

    func conversation(_ organization: String, _ platform: Platform, _ id: String) -> SimConversation? {
        store.withLock { $0.organizations[organization]?.chat.conversation(platform, id) }
    }

    /// The DM of two members, opened if new (nil for an unknown organization).
    func openConversation(_ organization: String, _ platform: Platform, _ a: String, _ b: String) -> SimConversation? {
        store.withLock { store in
            guard let credentials = store.organizations[organization]?.credentials else { return nil }
            return store.organizations[organization]?.chat.open(platform, a, b, credentials: credentials)
        }
    }
}

extension SimulatorState.Store {
    /// Whether a person has authorized the app on a platform and not revoked it: they hold a live
    /// refresh token or an unexpired access token from consent.
    func authorized(_ organization: String, _ platform: Platform, _ userID: String, now: Date) -> Bool {
        let refresh = refreshTokens.values.contains {
            $0.organization == organization && $0.platform == platform && $0.userID == userID && !$0.revoked
        }
        return refresh
            || tokens.values.contains {
                $0.organization == organization && $0.platform == platform && $0.kind == .user && $0.userID == userID && !$0.revoked
                    && ($0.expiresAt.map { $0 > now } ?? true)
            }
    }
}
