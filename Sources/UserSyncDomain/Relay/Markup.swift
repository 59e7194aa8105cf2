import Foundation

/// The markup a platform writes message text in (docs/relay.md "Formatting").
///
/// Rendering escapes everything a text holds, so that text from another platform never becomes
/// markup in the destination; each markup's own means are used, keeping the text readable:
/// - Slack mrkdwn has no escape: `& < >` become `&amp; &lt; &gt;`, and a literal `*`, `_`, `~` or
///   backtick gets a U+200B (zero-width space) on each side, which keeps it from opening or
///   closing a style and which the parser drops again. A style that would start or end inside a
///   word (which Slack cannot show) is written without its markers; so is one whose marker would
///   sit between two escaped ones. A mention is `<@ID>`: Slack shows the name itself.
/// - Teams HTML: every text value and attribute is HTML-escaped (`& < > " '`).
/// - Webex and Zoom markdown: `\`, `*`, `_`, `~`, backticks, `[`, `]`, `<`, `>` and `&` are
///   backslash-escaped (Zoom is assumed to take CommonMark's escapes as Webex does). Line-start
///   syntax (`# `, `- `, `> `, `1. `) is left as it is: at worst it reads as a heading, list or
///   quote, never as a link or mention. A style whose marker would follow a bare URL is written
///   without its markers (the URL would run on through them).
///
/// Links whose scheme is not `http`, `https`, `mailto` or `tel` are written as text. A code
/// block is written on lines of its own.
public enum Markup: String, Sendable, CaseIterable {
    /// Slack `mrkdwn` (`*bold*`, `<url|label>`, `<@U123>`).
    case slackMrkdwn
    /// The HTML of Bot Framework activities and Graph chat messages (`<b>`, `<a href>`, `<at id>`).
    case teamsHTML
    /// Webex markdown (`**bold**`, `[label](url)`, `<@personId:ID|Name>`).
    case webexMarkdown
    /// Zoom Team Chat markdown (`is_markdown_support`): Webex's styles and links; mentions are
    /// written as `@Name` text and none is read.
    case zoomMarkdown
}

extension Platform {
    /// The markup the platform's message text is written in.
    public var markup: Markup {
        switch self {
        case .slack: .slackMrkdwn
        case .teams: .teamsHTML
        case .zoom: .zoomMarkdown
        case .webex: .webexMarkdown
        }
    }
}

extension RichText {
    /// Reads `text` written in `markup`. Any text reads: what is not well-formed markup (an
    /// unclosed `*`, a `<` without `>`, an unknown tag) is kept as text. Mentions carry the
    /// source platform's user ids.
    public init(parsing text: String, as markup: Markup) {
        switch markup {
        case .slackMrkdwn: self.init(SlackMrkdwnParser.spans(of: text))
        case .teamsHTML: self.init(TeamsHTMLParser.spans(of: text))
        case .webexMarkdown: self.init(ChatMarkdownParser.spans(of: text, readsMentions: true))
        case .zoomMarkdown: self.init(ChatMarkdownParser.spans(of: text, readsMentions: false))
        }
    }

    /// The text written in `markup`, escaped as ``Markup`` says. `mentions` gives each mention's
    /// person on the destination platform (their user id there, and a name to show if the mention
    /// has none); nil writes the person as text, `@` and their name (or the id without one), and
    /// so does a mention with an empty user id, whose name is shown (a person the relay knows but
    /// who is not on the destination). The default keeps the ids as they are, for text rendered on
    /// its own platform.
    public func rendered(as markup: Markup, mentions: (Mention) -> Mention? = { $0 }) -> String {
        withoutActuallyEscaping(mentions) { mentions in
            var renderer = MarkupRenderer(markup: markup, mentions: mentions)
            renderer.render(spans, followedBy: .boundary)
            return MarkupBytes.string(renderer.out)
        }
    }

    /// Converts a message's text from the sender's markup to the recipient's; `mentions` maps a
    /// mentioned person to the recipient platform's (see ``rendered(as:mentions:)``).
    public static func convert(
        _ text: String, from source: Markup, to destination: Markup, mentions: (Mention) -> Mention?
    ) -> String {
        RichText(parsing: text, as: source).rendered(as: destination, mentions: mentions)
    }
}
