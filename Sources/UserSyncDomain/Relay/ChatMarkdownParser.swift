import Foundation

/// Reads the markdown of Webex and Zoom Team Chat: `**bold**` / `__bold__`, `*italic*` /
/// `_italic_` (`_` only at word boundaries), `~~strike~~`, `` `code` `` (and ``` `` a`b `` ```),
/// fenced ```` ``` ```` blocks (an info string such as `swift` after the opening fence is
/// dropped), `[label](url)`, `<https://url>`, bare `http(s)://` URLs, backslash escapes and, in
/// Webex, `<@personId:ID|Name>` mentions (`<@personEmail:…>` and `<@all>` read as their text).
/// Block syntax (headings, lists, quotes) is kept as the text it is.
struct ChatMarkdownParser {
    private typealias B = MarkupBytes
    private let bytes: [UInt8]
    private let readsMentions: Bool
    private var builder = InlineBuilder(lineBreaksEndingStyles: 2)
    private var text: [UInt8] = []
    /// For each fence length, where a search for a closing fence found none.
    private var noFenceFrom: [Int: Int] = [:]

    static func spans(of source: String, readsMentions: Bool) -> [RichText.Span] {
        spans(of: Array(source.utf8)[...], readsMentions: readsMentions)
    }

    private static func spans(of bytes: ArraySlice<UInt8>, readsMentions: Bool) -> [RichText.Span] {
        var parser = ChatMarkdownParser(bytes: Array(bytes), readsMentions: readsMentions)
        parser.parse()
        return parser.builder.spans()
    }

    private init(bytes: [UInt8], readsMentions: Bool) {
        self.bytes = bytes
        self.readsMentions = readsMentions
    }

    private mutating func parse() {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case B.ascii("\\")
            where index + 1 < bytes.count && bytes[index + 1] < 0x7F && bytes[index + 1] > 0x20
                && !B.isASCIIAlphanumeric(bytes[index + 1]):
                text.append(bytes[index + 1])
                index += 2
            case B.ascii("\r") where index + 1 < bytes.count && bytes[index + 1] == B.ascii("\n"):
                index += 1
            case B.ascii("\n"):
                add(.lineBreak)
                index += 1
            case B.ascii("*"), B.ascii("_"), B.ascii("~"):
                index = emphasis(at: index)
            case B.ascii("`"):
                index = code(at: index)
            case B.ascii("["):
                index = link(at: index)
            case B.ascii("<"):
                index = angle(at: index)
            case B.ascii("h"), B.ascii("H"):
                if !B.isWord(B.scalar(before: index, in: bytes)), let end = B.bareURLEnd(at: index, in: bytes) {
                    add(.link(url: B.string(bytes[index..<end]), label: nil))
                    index = end
                } else {
                    text.append(byte)
                    index += 1
                }
            default:
                text.append(byte)
                index += 1
            }
        }
        flush()
    }

    /// A run of `*`, `_` or `~` as delimiters: `~~` strikes (a lone `~` is text); longer runs
    /// split into doubles and a single, the single first when it closes the innermost opener.
    private mutating func emphasis(at index: Int) -> Int {
        let byte = bytes[index]
        var end = index
        while end < bytes.count, bytes[end] == byte { end += 1 }
        let count = end - index
        if byte == B.ascii("~") && count != 2 {
            text.append(contentsOf: bytes[index..<end])
            return end
        }
        let before = B.scalar(before: index, in: bytes)
        let after = B.scalar(at: end, in: bytes)
        let underscore = byte == B.ascii("_")
        let canOpen = !B.isSpace(after) && !(underscore && B.isWord(before))
        let canClose = !B.isSpace(before) && !(underscore && B.isWord(after))
        let (single, double): (DelimiterMarker, DelimiterMarker) =
            switch byte {
            case B.ascii("*"): (.star, .doubleStar)
            case B.ascii("_"): (.underscore, .doubleUnderscore)
            default: (.tilde, .doubleTilde)
            }
        var pieces = [DelimiterMarker](repeating: double, count: count / 2)
        if count % 2 == 1 {
            let singleFirst =
                canClose && (builder.innermostOpener(single) ?? -1) > (builder.innermostOpener(double) ?? -1)
            pieces.insert(single, at: singleFirst ? 0 : pieces.count)
        }
        flush()
        for marker in pieces {
            let style: RichText.Style = marker == .doubleTilde ? .strike : marker == double ? .bold : .italic
            builder.add(InlineDelimiter(marker: marker, style: style, canOpen: canOpen, canClose: canClose))
        }
        return end
    }

    /// `` `code` `` and ``` ``co`de`` ``` within a line (one space each side is dropped when
    /// both are there), or a fenced block closed by a fence at least as long. Unclosed, the
    /// backticks are text.
    private mutating func code(at index: Int) -> Int {
        var runEnd = index
        while runEnd < bytes.count, bytes[runEnd] == B.ascii("`") { runEnd += 1 }
        let length = runEnd - index
        if length >= 3 {
            guard let (close, closeEnd) = fence(length, from: runEnd) else {
                text.append(contentsOf: bytes[index..<runEnd])
                return runEnd
            }
            var content = bytes[runEnd..<close]
            if let newline = content.firstIndex(of: B.ascii("\n")),
                !content[..<newline].contains(where: { $0 == B.ascii(" ") || $0 == B.ascii("\t") })
            {
                content = content[(newline + 1)...]
            }
            if content.last == B.ascii("\n") { content = content.dropLast() }
            if content.last == B.ascii("\r") { content = content.dropLast() }
            add(.codeBlock(B.string(content)))
            return closeEnd
        }
        var scan = runEnd
        while scan < bytes.count, bytes[scan] != B.ascii("\n") {
            guard bytes[scan] == B.ascii("`") else {
                scan += 1
                continue
            }
            var closeEnd = scan
            while closeEnd < bytes.count, bytes[closeEnd] == B.ascii("`") { closeEnd += 1 }
            if closeEnd - scan == length {
                var content = bytes[runEnd..<scan]
                if content.count >= 2, content.first == B.ascii(" "), content.last == B.ascii(" "),
                    content.contains(where: { $0 != B.ascii(" ") })
                {
                    content = content.dropFirst().dropLast()
                }
                add(.code(B.string(content)))
                return closeEnd
            }
            scan = closeEnd
        }
        text.append(contentsOf: bytes[index..<runEnd])
        return runEnd
    }

    private mutating func fence(_ length: Int, from start: Int) -> (Int, Int)? {
        guard start < noFenceFrom[length, default: Int.max] else { return nil }
        var index = start
        while index < bytes.count {
            guard bytes[index] == B.ascii("`") else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count, bytes[end] == B.ascii("`") { end += 1 }
            if end - index >= length { return (index, end) }
            index = end
        }
        noFenceFrom[length] = start
        return nil
    }

    /// `[label](url)` within a line; the label reads as plain text. Otherwise `[` is text.
    private mutating func link(at index: Int) -> Int {
        var close = index + 1
        while close < bytes.count, bytes[close] != B.ascii("]") {
            if bytes[close] == B.ascii("[") || bytes[close] == B.ascii("\n") { break }
            close += bytes[close] == B.ascii("\\") ? 2 : 1
        }
        guard close + 1 < bytes.count, bytes[close] == B.ascii("]"), bytes[close + 1] == B.ascii("(") else {
            text.append(bytes[index])
            return index + 1
        }
        var end = close + 2
        var depth = 0
        while end < bytes.count {
            let byte = bytes[end]
            if byte == B.ascii(")") {
                if depth == 0 { break }
                depth -= 1
            } else if byte == B.ascii("(") {
                depth += 1
            } else if byte <= 0x20 || byte == B.ascii("<") || byte == B.ascii("[") {
                break
            }
            end += 1
        }
        guard end < bytes.count, bytes[end] == B.ascii(")"), end > close + 2 else {
            text.append(bytes[index])
            return index + 1
        }
        let label = RichText.plainText(of: Self.spans(of: bytes[(index + 1)..<close], readsMentions: false))
        add(.link(url: B.string(bytes[(close + 2)..<end]), label: label))
        return end + 1
    }

    /// `<scheme:…>` links and Webex mentions; any other `<` is text.
    private mutating func angle(at index: Int) -> Int {
        var close = index + 1
        while close < bytes.count, bytes[close] != B.ascii(">"), bytes[close] != B.ascii("<"), bytes[close] != B.ascii("\n") { close += 1 }
        guard close < bytes.count, bytes[close] == B.ascii(">") else {
            text.append(bytes[index])
            return index + 1
        }
        let content = bytes[(index + 1)..<close]
        let string = B.string(content)
        if readsMentions, string.hasPrefix("@") {
            let parts = string.dropFirst().split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts.count > 1 ? String(parts[1]) : nil
            let target = parts[0]
            if target.hasPrefix("personId:"), target.count > "personId:".count {
                add(.mention(RichText.Mention(userID: String(target.dropFirst("personId:".count)), name: name)))
                return close + 1
            }
            if target.hasPrefix("personEmail:") || target == "all" {
                text.append(contentsOf: ("@" + (name ?? String(target.dropFirst(target == "all" ? 0 : "personEmail:".count)))).utf8)
                return close + 1
            }
        }
        if B.startsWithScheme(content), !content.contains(where: { $0 <= 0x20 }) {
            add(.link(url: string, label: nil))
            return close + 1
        }
        text.append(bytes[index])
        return index + 1
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
