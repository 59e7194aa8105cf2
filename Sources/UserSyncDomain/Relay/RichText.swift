import Foundation

/// A message's text in no platform's markup: what the relay parses the sender's markup into and
/// renders the recipient's from (docs/relay.md "Formatting").
///
/// The spans are kept normalized, so that two texts that read the same compare equal: adjacent
/// text (and adjacent inline code) is merged, `\n` in text becomes ``Span/lineBreak``, empty
/// spans are dropped, a style inside the same style is flattened, line breaks and code blocks are
/// lifted out of styles (no markup styles across lines), a code block stands on lines of its own,
/// and link labels and mention names are single lines.
public struct RichText: Sendable, Equatable {
    /// A mentioned person, by their user id on one platform.
    public struct Mention: Sendable, Hashable {
        public var userID: String
        /// The name to show; nil when the markup carries only the id (Slack's `<@U123>`).
        public var name: String?

        public init(userID: String, name: String? = nil) {
            self.userID = userID
            self.name = name
        }
    }

    public enum Span: Sendable, Equatable {
        case text(String)
        case bold([Span])
        case italic([Span])
        case strike([Span])
        /// Inline code: its text is literal, never formatted.
        case code(String)
        /// Preformatted text on lines of its own; literal, never formatted.
        case codeBlock(String)
        /// A link; `label` is nil when the link shows its URL.
        case link(url: String, label: String?)
        case mention(Mention)
        case lineBreak
    }

    public private(set) var spans: [Span]

    public init(_ spans: [Span]) {
        self.spans = Self.normalized(spans)
    }

    /// Text without markup: `\n` is a line break, nothing else is special.
    public init(text: String) {
        self.init([.text(text)])
    }

    public var isEmpty: Bool { spans.isEmpty }

    /// The text as it reads, without markup: for notifications, fallbacks and the ledger's
    /// preview. A link reads as its label (or its URL), a mention as `@` and the name (or the id).
    public var plainText: String {
        var text = ""
        Self.appendPlainText(of: spans, to: &text)
        return text
    }

    /// The user ids of the people mentioned, each once, in the order they first appear: the
    /// relay looks them up on the recipient's platform before converting the text.
    public var mentionedUserIDs: [String] {
        var ids: [String] = []
        var seen: Set<String> = []
        Self.collectMentions(in: spans, ids: &ids, seen: &seen)
        return ids
    }

    /// How deep parsers nest styles; deeper markers are kept as text. Bounds the recursion of
    /// everything that walks the spans, whatever a message holds.
    static let maximumNesting = 32

    static func appendPlainText(of spans: [Span], to text: inout String) {
        for span in spans {
            switch span {
            case .text(let value), .code(let value), .codeBlock(let value): text += value
            case .bold(let children), .italic(let children), .strike(let children): appendPlainText(of: children, to: &text)
            case .link(let url, let label): text += label ?? url
            case .mention(let mention): text += "@" + (mention.name ?? mention.userID)
            case .lineBreak: text += "\n"
            }
        }
    }

    static func plainText(of spans: [Span]) -> String {
        var text = ""
        appendPlainText(of: spans, to: &text)
        return text
    }

    private static func collectMentions(in spans: [Span], ids: inout [String], seen: inout Set<String>) {
        for span in spans {
            switch span {
            case .mention(let mention):
                if seen.insert(mention.userID).inserted { ids.append(mention.userID) }
            case .bold(let children), .italic(let children), .strike(let children):
                collectMentions(in: children, ids: &ids, seen: &seen)
            default: break
            }
        }
    }
}
