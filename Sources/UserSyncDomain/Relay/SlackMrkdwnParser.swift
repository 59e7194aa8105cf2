import Foundation

/// Reads Slack mrkdwn: `*bold*`, `_italic_`, `~strike~` (each at word boundaries and within a
/// line), `` `code` ``, ```` ```block``` ````, `<url|label>`, `<url>`, `<mailto:a@b|a@b>`,
/// `<@U123>` and `<@U123|name>`; `<#C123|channel>` and `<!here>`-style sequences read as their
/// text. `&amp; &lt; &gt;` are decoded. A marker between two U+200B is text, and U+200B next
/// to a marker is dropped: that is how ``MarkupRenderer`` escapes markers, Slack having no escape.
struct SlackMrkdwnParser {
    private typealias B = MarkupBytes
    private let bytes: [UInt8]
    private var builder = InlineBuilder(lineBreaksEndingStyles: 1)
    private var text: [UInt8] = []
    /// Where a search for a closing ```` ``` ```` found none: none follows any later position either.
    private var noFenceFrom = Int.max

    static func spans(of source: String) -> [RichText.Span] {
        var parser = SlackMrkdwnParser(bytes: Array(source.utf8))
        parser.parse()
        return parser.builder.spans()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func parse() {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case B.ascii("&"):
                if let entity = B.entity(at: index, in: bytes, html: false) {
                    text.append(contentsOf: entity.text.utf8)
                    index = entity.end
                } else {
                    text.append(byte)
                    index += 1
                }
            case B.ascii("\r") where index + 1 < bytes.count && bytes[index + 1] == B.ascii("\n"):
                index += 1
            case B.ascii("\n"):
                add(.lineBreak)
                index += 1
            case 0xE2 where B.hasZeroWidthSpace(at: index, in: bytes):
                if !(isMarker(at: index - 1) || isMarker(at: index + 3)) { text.append(contentsOf: B.zeroWidthSpace) }
                index += 3
            case B.ascii("*"), B.ascii("_"), B.ascii("~"):
                delimiter(at: index)
                index += 1
            case B.ascii("`"):
                index = code(at: index)
            case B.ascii("<"):
                index = angle(at: index)
            default:
                text.append(byte)
                index += 1
            }
        }
        flush()
    }

    private func isMarker(at index: Int) -> Bool {
        index >= 0 && index < bytes.count && B.isSlackMarker(bytes[index])
    }

    /// Escaped: U+200B on both sides. A marker with one on one side only is a style's marker
    /// next to an escaped one.
    private func isEscaped(_ range: Range<Int>) -> Bool {
        B.hasZeroWidthSpace(at: range.lowerBound - 3, in: bytes) && B.hasZeroWidthSpace(at: range.upperBound, in: bytes)
    }

    private mutating func delimiter(at index: Int) {
        guard !isEscaped(index..<(index + 1)) else {
            text.append(bytes[index])
            return
        }
        let (marker, style): (DelimiterMarker, RichText.Style) =
            switch bytes[index] {
            case B.ascii("*"): (.star, .bold)
            case B.ascii("_"): (.underscore, .italic)
            default: (.tilde, .strike)
            }
        let before = B.scalar(before: index, in: bytes)
        let after = B.scalar(at: index + 1, in: bytes)
        flush()
        builder.add(
            InlineDelimiter(
                marker: marker, style: style,
                canOpen: !B.isSpace(after) && !B.isWord(before),
                canClose: !B.isSpace(before) && !B.isWord(after)))
    }

    /// `` `code` `` within a line, or ```` ```block``` ```` (one newline after the opening and
    /// before the closing fence belongs to the fences). Unclosed, the backticks are text.
    private mutating func code(at index: Int) -> Int {
        var runEnd = index
        while runEnd < bytes.count, bytes[runEnd] == B.ascii("`") { runEnd += 1 }
        if isEscaped(index..<runEnd) || runEnd - index == 2 {
            text.append(contentsOf: bytes[index..<runEnd])
            return runEnd
        }
        if runEnd - index == 1 {
            var close = runEnd
            while close < bytes.count, bytes[close] != B.ascii("`"), bytes[close] != B.ascii("\n") { close += 1 }
            guard close < bytes.count, bytes[close] == B.ascii("`"), close > runEnd else {
                text.append(bytes[index])
                return runEnd
            }
            add(.code(B.decodingEntities(bytes[runEnd..<close], html: false)))
            return close + 1
        }
        guard let (close, closeEnd) = fence(from: runEnd) else {
            text.append(contentsOf: bytes[index..<runEnd])
            return runEnd
        }
        var content = bytes[runEnd..<close]
        if content.first == B.ascii("\n") { content = content.dropFirst() }
        if content.last == B.ascii("\n") { content = content.dropLast() }
        if content.last == B.ascii("\r") { content = content.dropLast() }
        add(.codeBlock(B.decodingEntities(content, html: false)))
        return closeEnd
    }

    /// The next run of three or more backticks from `start`: where it starts and ends.
    private mutating func fence(from start: Int) -> (Int, Int)? {
        guard start < noFenceFrom else { return nil }
        var index = start
        while index < bytes.count {
            guard bytes[index] == B.ascii("`") else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, bytes[end] == B.ascii("`") { end += 1 }
            if end - index >= 3 { return (index, end) }
            index = end
        }
        noFenceFrom = start
        return nil
    }

    /// `<…>`: a mention, a link, or one of Slack's other sequences read as its text. A `<`
    /// without its `>` on the same line is text.
    private mutating func angle(at index: Int) -> Int {
        var close = index + 1
        while close < bytes.count, bytes[close] != B.ascii(">"), bytes[close] != B.ascii("<"), bytes[close] != B.ascii("\n") { close += 1 }
        guard close < bytes.count, bytes[close] == B.ascii(">"), close > index + 1 else {
            text.append(bytes[index])
            return index + 1
        }
        let content = bytes[(index + 1)..<close]
        let bar = content.firstIndex(of: B.ascii("|"))
        let head = content[..<(bar ?? content.endIndex)]
        let label = bar.map { B.decodingEntities(content[($0 + 1)...], html: false) }
        switch content.first {
        case B.ascii("@") where head.count > 1:
            add(.mention(RichText.Mention(userID: B.string(head.dropFirst()), name: label)))
        case B.ascii("#") where head.count > 1:
            text.append(contentsOf: ("#" + (label ?? B.string(head.dropFirst()))).utf8)
        case B.ascii("!") where head.count > 1:
            let name = head.dropFirst().split(separator: B.ascii("^"), maxSplits: 1).first ?? []
            text.append(contentsOf: (label ?? "@" + B.string(name)).utf8)
        default:
            guard B.startsWithScheme(head) else {
                text.append(contentsOf: B.decodingEntities(bytes[index...close], html: false).utf8)
                return close + 1
            }
            add(.link(url: B.decodingEntities(head, html: false), label: label))
        }
        return close + 1
    }

    private mutating func add(_ span: RichText.Span) {
        flush()
        builder.add(span)
    }

    private mutating func flush() {
        guard !text.isEmpty else { return }
        builder.add(.text(B.string(text)))
        text.removeAll(keepingCapacity: true)
    }
}
