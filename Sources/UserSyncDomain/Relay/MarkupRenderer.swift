import Foundation

/// Writes spans in one markup (see ``Markup`` for what each writes and how text is escaped).
struct MarkupRenderer {
    typealias B = MarkupBytes
    /// What follows a span, which decides whether markers may close there.
    enum Following {
        /// The end of the text, whitespace or a line break.
        case boundary
        /// A letter or digit.
        case word
        /// `*`, `_`, `~` or a backtick, which Slack text escapes with U+200B on both sides.
        case marker
        case other
    }

    let markup: Markup
    let mentions: (RichText.Mention) -> RichText.Mention?
    var out: [UInt8] = []
    private var styles: RichText.Styles = []
    /// Markdown: a code fence just closed, so what follows starts a new line.
    var fenceClosed = false
    private var urlTracker = BareURLTracker()

    init(markup: Markup, mentions: @escaping (RichText.Mention) -> RichText.Mention?) {
        self.markup = markup
        self.mentions = mentions
    }

    mutating func render(_ spans: [RichText.Span], followedBy following: Following) {
        for index in spans.indices {
            let next = index + 1 < spans.count ? start(of: spans[index + 1]) : following
            write(spans[index], followedBy: next)
        }
    }

    private mutating func write(_ span: RichText.Span, followedBy next: Following) {
        if fenceClosed, span != .lineBreak { out.append(B.ascii("\n")) }
        fenceClosed = false
        switch span {
        case .text(let text): writeText(text)
        case .bold(let children): writeStyled(.bold, children, followedBy: next)
        case .italic(let children): writeStyled(.italic, children, followedBy: next)
        case .strike(let children): writeStyled(.strike, children, followedBy: next)
        case .code(let text): writeCode(text)
        case .codeBlock(let text): writeCodeBlock(text)
        case .link(let url, let label): writeLink(url: url, label: label, followedBy: next)
        case .mention(let mention): writeMention(mention)
        case .lineBreak: append(markup == .teamsHTML ? "<br>" : "\n")
        }
    }

    /// How what `span` is written as starts.
    private func start(of span: RichText.Span) -> Following {
        switch span {
        case .text(let text):
            let first = text.unicodeScalars.first
            if B.isSpace(first) { return .boundary }
            if B.isWord(first) { return .word }
            return first.map { $0.isASCII && B.isSlackMarker(UInt8($0.value)) } == true ? .marker : .other
        case .bold(let children), .italic(let children), .strike(let children):
            return children.first.map(start) ?? .other
        case .lineBreak, .codeBlock: return .boundary
        case .link(let url, let label) where !B.isSafeLink(url): return start(of: .text(label ?? url))
        case .link(_, nil) where markup == .webexMarkdown || markup == .zoomMarkdown: return .word
        case .code, .link, .mention: return .other
        }
    }

    /// Teams wraps the children in the element. Slack and markdown move whitespace at the edges
    /// outside the markers (a marker next to whitespace does not open or close). Slack styles only
    /// whole words: a style that starts or ends inside a word, or whose marker would fall between
    /// two escaped markers, is written without its markers rather than as literal `*`; so is a
    /// markdown style whose marker would follow a bare URL.
    private mutating func writeStyled(_ style: RichText.Style, _ children: [RichText.Span], followedBy next: Following) {
        if styles.contains(RichText.Styles(style)) {
            render(children, followedBy: next)
            return
        }
        if markup == .teamsHTML {
            let tag = style == .bold ? "b" : style == .italic ? "i" : "s"
            append("<\(tag)>")
            styles.insert(RichText.Styles(style))
            render(children, followedBy: .other)
            styles.remove(RichText.Styles(style))
            append("</\(tag)>")
            return
        }
        var inner: [UInt8] = []
        let outTracker = urlTracker
        urlTracker = BareURLTracker()
        swap(&out, &inner)
        styles.insert(RichText.Styles(style))
        render(children, followedBy: .other)
        styles.remove(RichText.Styles(style))
        swap(&out, &inner)
        urlTracker = outTracker
        let lead = Self.leadingWhitespace(of: inner)
        let trail = lead == inner.count ? 0 : Self.trailingWhitespace(of: inner)
        guard lead + trail < inner.count else {
            out.append(contentsOf: inner)
            return
        }
        let after: Following = trail > 0 ? .boundary : next
        let before = lead > 0 ? " " : B.scalar(before: out.count, in: out)
        var coreTracker = BareURLTracker()
        let marker: String
        switch (markup, style) {
        case (.slackMrkdwn, _):
            // A marker between two U+200B would read as an escaped one.
            let escapedBefore = lead == 0 && B.hasZeroWidthSpace(at: out.count - 3, in: out) && B.hasZeroWidthSpace(at: 0, in: inner)
            let escapedAfter = trail == 0 && next == .marker && B.hasZeroWidthSpace(at: inner.count - 3, in: inner)
            guard !B.isWord(before) && after != .word && !escapedBefore && !escapedAfter else {
                render(children, followedBy: next)
                return
            }
            marker = style == .bold ? "*" : style == .italic ? "_" : "~"
        case _
        where (lead == 0 && urlTracker.endsInBareURL(out, end: out.count))
            || (after != .boundary && coreTracker.endsInBareURL(inner, end: inner.count - trail)):
            // A bare URL would run on through the marker.
            render(children, followedBy: next)
            return
        case (_, .bold): marker = "**"
        case (_, .strike): marker = "~~"
        case (_, .italic): marker = B.isWord(before) || after == .word ? "*" : "_"
        }
        out.append(contentsOf: inner[..<lead])
        append(marker)
        out.append(contentsOf: inner[lead..<(inner.count - trail)])
        append(marker)
        out.append(contentsOf: inner[(inner.count - trail)...])
    }

    private static func leadingWhitespace(of bytes: [UInt8]) -> Int {
        var index = 0
        while let scalar = B.scalar(at: index, in: bytes), scalar.properties.isWhitespace {
            index += scalar.utf8.count
        }
        return index
    }

    private static func trailingWhitespace(of bytes: [UInt8]) -> Int {
        var index = bytes.count
        while let scalar = B.scalar(before: index, in: bytes), scalar.properties.isWhitespace {
            index -= scalar.utf8.count
        }
        return bytes.count - index
    }

    mutating func append(_ string: String) {
        out.append(contentsOf: string.utf8)
    }
}
