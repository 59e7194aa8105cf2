import Foundation
import UserSyncDomain

/// Who the app's bot posted as: a person of another platform, by name, avatar and a fixed label
/// such as `via Slack` (docs/relay.md).
public struct SimPersona: Sendable, Codable, Equatable {
    public var name: String
    public var avatarURL: String?
    public var label: String?

    public init(name: String, avatarURL: String? = nil, label: String? = nil) {
        self.name = name
        self.avatarURL = avatarURL
        self.label = label
    }
}

/// A file attached to a message, as a link.
public struct SimChatFile: Sendable, Codable, Equatable {
    public var name: String
    public var url: String
    public var size: Int?

    public init(name: String, url: String, size: Int? = nil) {
        self.name = name
        self.url = url
        self.size = size
    }
}

/// One message of a simulated DM, whoever wrote it.
public struct SimChatMessage: Sendable, Codable, Equatable {
    public var id: String
    public var platform: Platform
    public var conversation: String
    /// The author's platform user id, or ``SimChat/bot`` for the app's bot.
    public var author: String
    /// The other member of the conversation: a platform user id, or ``SimChat/bot``.
    public var recipient: String
    /// Set when the app's bot posted as someone.
    public var persona: SimPersona?
    /// The text as sent, in the platform's markup.
    public var text: String
    /// The message this one replies to (the thread's first message).
    public var thread: String?
    public var files: [SimChatFile]
    public var edited: Bool
    public var deleted: Bool
    /// Posted through the app's tokens (a wire endpoint) rather than by a person in their client;
    /// the platform sends no event for it.
    public var viaApp: Bool
    public var at: Date
    /// Slack message metadata as posted (JSON), shown by `conversations.history` on request.
    public var metadata: String? = nil
}

/// A direct conversation of two members (people, or a person and the app's bot).
struct SimConversation: Sendable, Equatable {
    var id: String
    var members: [String]

    func includes(_ member: String) -> Bool { members.contains(member) }

    func other(than member: String) -> String? { members.first { $0 != member } }
}

/// A Webex webhook: where the platform sends message events of the rooms its owner is in.
public struct SimWebexWebhook: Sendable, Codable, Equatable {
    public var id: String
    /// ``SimChat/bot`` for a webhook made with the bot token, else the person's id.
    public var owner: String
    public var name: String
    public var targetURL: String
    public var resource: String
    public var event: String
    public var filter: String?
    public var secret: String?
    /// `active`, or `inactive` (it then receives nothing).
    public var status: String
    public var created: Date
}

/// Where a platform sends its events for an organization (the Slack Request URL, the Zoom event
/// notification endpoint, the Teams bot's messaging endpoint).
struct SimEventEndpoint: Sendable, Equatable {
    var url: String
    /// Teams: the Bot Connector base URL activities name as their `serviceUrl`.
    var serviceURL: String
}

/// The conversations, messages, event endpoints and webhooks of one organization.
struct SimChat: Sendable {
    /// The app's bot as a conversation member and message author, on every platform.
    static let bot = "bot"

    private var conversations: [Platform: [String: SimConversation]] = [:]
    private(set) var messages: [SimChatMessage] = []
    private var messageIndex: [Platform: [String: Int]] = [:]
    var endpoints: [Platform: SimEventEndpoint] = [:]
    var webhooks: [SimWebexWebhook] = []
    private var sequence = 0
    private var lastTeamsID: Int64 = 0

    func conversation(_ platform: Platform, _ id: String) -> SimConversation? { conversations[platform]?[id] }

    /// The DM of `a` and `b`, made if new, under the platform's stable id for the pair.
    mutating func open(_ platform: Platform, _ a: String, _ b: String, credentials: SimCredentials) -> SimConversation {
        let id = Self.conversationID(platform, a, b, credentials: credentials)
        if let existing = conversations[platform]?[id] { return existing }
        let conversation = SimConversation(id: id, members: [a, b])
        conversations[platform, default: [:]][id] = conversation
        return conversation
    }

    func message(_ platform: Platform, _ id: String) -> SimChatMessage? {
        messageIndex[platform]?[id].map { messages[$0] }
    }

    mutating func append(_ message: SimChatMessage) {
        messageIndex[message.platform, default: [:]][message.id] = messages.count
        messages.append(message)
    }

    /// Changes a stored message; nil when there is none with that id.
    mutating func update(_ platform: Platform, _ id: String, _ change: (inout SimChatMessage) -> Void) -> SimChatMessage? {
        guard let index = messageIndex[platform]?[id] else { return nil }
        change(&messages[index])
        return messages[index]
    }

    /// A new message id in the platform's style: Slack `ts`, Teams epoch milliseconds, Zoom a
    /// UUID, Webex a base64 `ciscospark://us/MESSAGE/…` id.
    mutating func nextMessageID(_ platform: Platform, now: Date) -> String {
        sequence += 1
        switch platform {
        case .slack:
            return "\(Int(now.timeIntervalSince1970)).\(String(format: "%06d", sequence % 1_000_000))"
        case .teams:
            lastTeamsID = max(lastTeamsID + 1, Int64(now.timeIntervalSince1970 * 1000))
            return String(lastTeamsID)
        case .zoom:
            return UUID().uuidString
        case .webex:
            return Self.webexID("MESSAGE", UUID().uuidString.lowercased())
        }
    }

    /// The id a platform gives the DM of two members: Slack `D…`, Teams `19:…@unq.gbl.spaces` (the
    /// bot's conversation is the one `installedApps/{id}/chat` names), a Webex direct room; Zoom
    /// has no conversation id in its API, so the simulator names the pair.
    static func conversationID(_ platform: Platform, _ a: String, _ b: String, credentials: SimCredentials) -> String {
        let pair = [a, b].sorted()
        let person = pair.first { $0 != bot } ?? a
        let withBot = pair.contains(bot)
        switch platform {
        case .slack:
            return "D" + String(stableHash(withBot ? person : pair.joined(separator: "|")), radix: 36).uppercased()
        case .teams:
            return withBot ? "19:\(person)_\(credentials.teams.teamsAppID)@unq.gbl.spaces" : "19:\(pair[0])_\(pair[1])@unq.gbl.spaces"
        case .zoom:
            return pair.joined(separator: ":")
        case .webex:
            var random = SeededRandom(seed: stableHash(pair.joined(separator: "|")))
            return webexID("ROOM", random.guid())
        }
    }

    static func webexID(_ kind: String, _ id: String) -> String {
        Data("ciscospark://us/\(kind)/\(id)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }
}
