import Foundation
import UserSyncDomain

/// A DM a person writes in their platform's client (the control API's `POST …/messages`).
public struct SimChatWrite: Sendable, Codable, Equatable {
    /// The author's platform user id.
    public var from: String
    /// The recipient's platform user id, or `bot` for the app's bot.
    public var to: String
    /// In the platform's markup (Slack mrkdwn, Teams HTML, Webex and Zoom markdown).
    public var text: String
    /// Any message of the same DM: the new one replies in its thread.
    public var thread: String?
    public var files: [SimChatFile]?

    public init(from: String, to: String, text: String, thread: String? = nil, files: [SimChatFile]? = nil) {
        self.from = from
        self.to = to
        self.text = text
        self.thread = thread
        self.files = files
    }
}

/// Where a written message went.
public struct SimWrittenMessage: Sendable, Codable, Equatable {
    public var id: String
    public var conversation: String
}

/// Why the control API would not write, edit or delete a message.
public enum SimChatWriteError: Error, Sendable, Equatable {
    case unknownOrganization
    /// No such user, message or thread.
    case notFound(String)
    /// The message cannot be written as asked (an inactive or bot user, oneself, the app's own message).
    case refused(String)
}

/// A message as its recipient sees it in their client.
public struct SimInboxMessage: Sendable, Codable, Equatable {
    public var id: String
    public var conversation: String
    /// The author's platform user id, or `bot`.
    public var from: String
    /// The persona's name when the bot posted as someone, else the author's display name (the
    /// app's bot is `UserSync`).
    public var name: String
    /// The persona's label (`via Slack`), when there is one.
    public var label: String?
    public var avatarURL: String?
    public var text: String
    public var thread: String?
    public var files: [SimChatFile]
    public var edited: Bool
    public var deleted: Bool
    public var at: Date
}

/// A person's tokens from consent, as if they had authorized the app.
public struct SimGrantedTokens: Sendable, Codable, Equatable {
    public var accessToken: String
    public var refreshToken: String
    public var expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in"
    }
}

extension SimChatFailure {
    func writeError(_ platform: Platform) -> SimChatWriteError {
        switch self {
        case .unknownOrganization: .unknownOrganization
        case .unknownUser(let id): .notFound("no \(platform.rawValue) user \(id)")
        case .inactiveUser(let id): .refused("\(id) is deactivated")
        case .isBot(let id): .refused("\(id) is a bot")
        case .sameUser: .refused("a DM needs two different members")
        case .unknownConversation, .notMember: .notFound("no such conversation")
        case .unknownMessage: .notFound("no such message")
        case .unknownThread: .notFound("no message of that DM to reply to")
        case .notAuthor: .refused("only the message's author can change it")
        case .emptyText: .refused("the text is empty")
        }
    }
}
