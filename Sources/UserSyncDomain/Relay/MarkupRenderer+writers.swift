import Foundation

extension MarkupRenderer {
    /// Text, escaped so that nothing in it reads as markup.
    mutating func writeText(_ text: String) {
        switch markup {
        case .slackMrkdwn:
            for byte in text.utf8 {
                switch byte {
                case B.ascii("&"): append("&amp;")
                case B.ascii("<"): append("&lt;")
                case B.ascii(">"): append("&gt;")
                case B.ascii("*"), B.ascii("_"), B.ascii("~"), B.ascii("`"):
                    if !B.hasZeroWidthSpace(at: out.count - 3, in: out) { out.append(contentsOf: B.zeroWidthSpace) }
                    out.append(byte)
                    out.append(contentsOf: B.zeroWidthSpace)
                default: out.append(byte)
                }
            }
        case .teamsHTML:
            writeHTMLEscaped(text)
        case .webexMarkdown, .zoomMarkdown:
            for byte in text.utf8 {
                switch byte {
                case B.ascii("\\"), B.ascii("*"), B.ascii("_"), B.ascii("~"), B.ascii("`"), B.ascii("["), B.ascii("]"), B.ascii("<"), B.ascii(">"),
                    B.ascii("&"):
                    out.append(B.ascii("\\"))
                default: break
                }
                out.append(byte)
            }
        }
    }

    private mutating func writeHTMLEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case B.ascii("&"): append("&amp;")
            case B.ascii("<"): append("&lt;")
            case B.ascii(">"): append("&gt;")
            case B.ascii("\""): append("&quot;")
            case B.ascii("'"): append("&#39;")
            default: out.append(byte)
            }
        }
    }

    /// Slack's entities only, as inside code and links, where markers are not read.
    private mutating func writeSlackEncoded(_ text: String, breakingFences: Bool = false) {
        var backticks = 0
        for byte in text.utf8 {
            switch byte {
            case B.ascii("&"): append("&amp;")
            case B.ascii("<"): append("&lt;")
            case B.ascii(">"): append("&gt;")
            default:
                backticks = byte == B.ascii("`") ? backticks + 1 : 0
                if breakingFences && backticks == 3 {
                    out.append(contentsOf: B.zeroWidthSpace)
                    backticks = 1
                }
                out.append(byte)
            }
        }
    }

    /// Inline code. Slack code cannot hold a backtick and markdown code spans only some runs of
    /// them; such code is written as a block.
    mutating func writeCode(_ text: String) {
        switch markup {
        case .slackMrkdwn:
            guard !text.utf8.contains(B.ascii("`")) else { return writeCodeBlock(text) }
            append("`")
            writeSlackEncoded(text)
            append("`")
        case .teamsHTML:
            append("<code>")
            writeHTMLEscaped(text)
            append("</code>")
        case .webexMarkdown, .zoomMarkdown:
            let runs = Self.backtickRuns(in: text)
            guard let fence = !runs.contains(1) ? "`" : !runs.contains(2) ? "``" : nil else { return writeCodeBlock(text) }
            let first = text.utf8.first
            let last = text.utf8.last
            let pads =
                first == B.ascii("`") || last == B.ascii("`")
                || (first == B.ascii(" ") && last == B.ascii(" ") && text.utf8.contains { $0 != B.ascii(" ") })
            append(fence + (pads ? " " : "") + text + (pads ? " " : "") + fence)
        }
    }

    /// A block: Slack and markdown fences with the text on lines of their own (a markdown fence
    /// longer than any run of backticks inside; in Slack, whose fence is always three, a U+200B
    /// breaks such runs), Teams `<pre>`.
    mutating func writeCodeBlock(_ text: String) {
        switch markup {
        case .slackMrkdwn:
            append("```\n")
            writeSlackEncoded(text, breakingFences: true)
            append("\n```")
        case .teamsHTML:
            append(text.utf8.first == B.ascii("\n") ? "<pre>\n" : "<pre>")
            writeHTMLEscaped(text)
            append("</pre>")
        case .webexMarkdown, .zoomMarkdown:
            if let last = out.last, last != B.ascii("\n") { out.append(B.ascii("\n")) }
            let fence = String(repeating: "`", count: max(3, (Self.backtickRuns(in: text).max() ?? 0) + 1))
            append(fence + "\n" + text + "\n" + fence)
            fenceClosed = true
        }
    }

    private static func backtickRuns(in text: String) -> Set<Int> {
        var runs: Set<Int> = []
        var run = 0
        for byte in text.utf8 {
            if byte == B.ascii("`") {
                run += 1
            } else {
                if run > 0 { runs.insert(run) }
                run = 0
            }
        }
        if run > 0 { runs.insert(run) }
        return runs
    }

    /// A link, or its text when its scheme is not a web, mail or phone one. Markdown writes a
    /// link without label as the bare URL when it would read back as the same URL.
    mutating func writeLink(url: String, label: String?, followedBy next: Following) {
        guard B.isSafeLink(url) else { return writeText(label ?? url) }
        switch markup {
        case .slackMrkdwn:
            append("<")
            writeSlackEncoded(url.replacingOccurrences(of: "|", with: "%7C"))
            if let label = label ?? (url.contains("|") ? url : nil) {
                append("|")
                writeSlackEncoded(label)
            }
            append(">")
        case .teamsHTML:
            append("<a href=\"")
            writeHTMLEscaped(url)
            append("\">")
            writeHTMLEscaped(label ?? url)
            append("</a>")
        case .webexMarkdown, .zoomMarkdown:
            let bytes = Array(url.utf8)
            if label == nil, next == .boundary, !B.isWord(B.scalar(before: out.count, in: out)),
                B.bareURLEnd(at: 0, in: bytes) == bytes.count
            {
                append(url)
                return
            }
            append("[")
            writeText(label ?? url)
            append("](")
            for byte in bytes {
                if byte <= 0x20 || byte == B.ascii("(") || byte == B.ascii(")") || byte == B.ascii("<") || byte == B.ascii(">")
                    || byte == B.ascii("\\")
                {
                    append((byte < 0x10 ? "%0" : "%") + String(byte, radix: 16, uppercase: true))
                } else {
                    out.append(byte)
                }
            }
            append(")")
        }
    }

    /// A mention mapped to the destination's person is the destination's mention; unmapped, or
    /// with an id the markup cannot carry, it is `@` and the name as text.
    mutating func writeMention(_ mention: RichText.Mention) {
        guard let mapped = mentions(mention) else { return writeText("@" + (mention.name ?? mention.userID)) }
        let name = mapped.name ?? mention.name
        let plainID =
            !mapped.userID.isEmpty
            && !mapped.userID.utf8.contains {
                $0 <= 0x20 || $0 == B.ascii("<") || $0 == B.ascii(">") || $0 == B.ascii("|") || $0 == B.ascii("&")
            }
        switch markup {
        case .slackMrkdwn where plainID:
            append("<@" + mapped.userID + ">")
        case .teamsHTML where !mapped.userID.isEmpty:
            append("<at id=\"")
            writeHTMLEscaped(mapped.userID)
            append("\">")
            writeHTMLEscaped(name ?? mapped.userID)
            append("</at>")
        case .webexMarkdown where plainID:
            let shown = name.map { String($0.unicodeScalars.filter { $0 != "<" && $0 != ">" && $0 != "\n" && $0 != "\r" }) } ?? ""
            append("<@personId:" + mapped.userID + (shown.isEmpty ? "" : "|" + shown) + ">")
        default:
            writeText("@" + (name ?? mapped.userID))
        }
    }
}
