import Foundation

/// Reads the HTML of Teams messages (Bot Framework activities, Graph chat messages): `<b>` /
/// `<strong>`, `<i>` / `<em>`, `<s>` / `<strike>` / `<del>`, `<code>`, `<pre>` / `<codeblock>`,
/// `<a href>`, `<at id="…">Name</at>`, `<br>`, and blocks (`<p>`, `<div>`, list items…) as line
/// breaks between them; `<img>` and `<emoji>` read as their `alt`. Any other tag is dropped and
/// its text kept. Entities are decoded. A raw newline is a line break too (plain-text activities
/// carry them), except between blocks and right after a `<br>`. Tags close leniently, as
/// browsers do: a closing tag closes the elements opened inside it, a stray one is ignored, and
/// the end of the text closes everything.
struct TeamsHTMLParser {
    private typealias B = MarkupBytes
    private enum Element: Int {
        case root, bold, italic, strike, link, mention
    }
    private struct Frame {
        var element: Element
        /// `href` of a link, `id` of a mention.
        var target: String?
        var spans: [RichText.Span] = []
    }

    private let bytes: [UInt8]
    private var frames = [Frame(element: .root)]
    private var openCount = [Int](repeating: 0, count: 6)
    private var text: [UInt8] = []
    /// A block ended or began: the next content starts on a new line.
    private var blockBreak = false
    private var wroteAny = false
    private var lastWasBreak = false

    static func spans(of source: String) -> [RichText.Span] {
        var parser = TeamsHTMLParser(bytes: Array(source.utf8))
        parser.parse()
        return parser.frames[0].spans
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func parse() {
        var index = 0
        var afterBreakTag = false
        while index < bytes.count {
            let byte = bytes[index]
            let sawBreakTag = afterBreakTag
            afterBreakTag = false
            switch byte {
            case B.ascii("<"):
                if let tag = HTMLTag(bytes, at: index) {
                    index = handle(tag)
                    afterBreakTag = tag.name == "br"
                } else {
                    text.append(byte)
                    index += 1
                }
            case B.ascii("&"):
                if let entity = B.entity(at: index, in: bytes, html: true) {
                    text.append(contentsOf: entity.text.utf8)
                    index = entity.end
                } else {
                    text.append(byte)
                    index += 1
                }
            case B.ascii("\r") where index + 1 < bytes.count && bytes[index + 1] == B.ascii("\n"):
                afterBreakTag = sawBreakTag
                index += 1
            case B.ascii("\n"):
                if !(sawBreakTag || blockBreak || (!wroteAny && text.isEmpty)) {
                    flushText()
                    add(.lineBreak)
                }
                index += 1
            default:
                text.append(byte)
                index += 1
            }
        }
        flushText()
        while frames.count > 1 { closeInnermost() }
    }

    /// Acts on a tag; returns where parsing goes on.
    private mutating func handle(_ tag: HTMLTag) -> Int {
        switch tag.name {
        case "b", "strong": openOrClose(.bold, tag)
        case "i", "em": openOrClose(.italic, tag)
        case "s", "strike", "del": openOrClose(.strike, tag)
        case "a": openOrClose(.link, tag, target: tag.attribute("href", in: bytes))
        case "at": openOrClose(.mention, tag, target: tag.attribute("id", in: bytes))
        case "br":
            flushText()
            add(.lineBreak)
        case "p", "div", "li", "ul", "ol", "blockquote", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6":
            flushText()
            blockBreak = true
        case "code" where !tag.isClosing:
            return literal(from: tag.end, closedBy: ["code"], block: false)
        case "pre" where !tag.isClosing, "codeblock" where !tag.isClosing:
            return literal(from: tag.end, closedBy: ["pre", "codeblock"], block: true)
        case "img" where !tag.isClosing, "emoji" where !tag.isClosing:
            text.append(contentsOf: (tag.attribute("alt", in: bytes) ?? "").utf8)
        default:
            break
        }
        return tag.end
    }

    private mutating func openOrClose(_ element: Element, _ tag: HTMLTag, target: String? = nil) {
        flushText()
        if !tag.isClosing {
            guard frames.count <= RichText.maximumNesting else { return }
            frames.append(Frame(element: element, target: target))
            openCount[element.rawValue] += 1
        } else if openCount[element.rawValue] > 0 {
            while frames.last?.element != element { closeInnermost() }
            closeInnermost()
        }
    }

    private mutating func closeInnermost() {
        let frame = frames.removeLast()
        openCount[frame.element.rawValue] -= 1
        let plain = RichText.plainText(of: frame.spans)
        let target = frame.target.flatMap { $0.isEmpty ? nil : $0 }
        switch frame.element {
        case .root: break
        case .bold: frames[frames.count - 1].spans.append(.bold(frame.spans))
        case .italic: frames[frames.count - 1].spans.append(.italic(frame.spans))
        case .strike: frames[frames.count - 1].spans.append(.strike(frame.spans))
        case .link:
            if let target {
                frames[frames.count - 1].spans.append(.link(url: target, label: plain))
            } else {
                frames[frames.count - 1].spans.append(contentsOf: frame.spans)
            }
        case .mention:
            if let target {
                frames[frames.count - 1].spans.append(.mention(RichText.Mention(userID: target, name: plain)))
            } else if !plain.isEmpty {
                frames[frames.count - 1].spans.append(.text("@" + plain))
            }
        }
    }

    /// The text of `<code>` or `<pre>` up to its closing tag (or the end): tags inside are
    /// dropped but `<br>`, which is a newline; entities are decoded. As in HTML, a newline right
    /// after `<pre>` is not part of the block.
    private mutating func literal(from start: Int, closedBy names: Set<String>, block: Bool) -> Int {
        flushText()
        var content: [UInt8] = []
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == B.ascii("<"), let tag = HTMLTag(bytes, at: index) {
                index = tag.end
                if tag.isClosing && names.contains(tag.name) { break }
                if tag.name == "br" { content.append(B.ascii("\n")) }
            } else if byte == B.ascii("&"), let entity = B.entity(at: index, in: bytes, html: true) {
                content.append(contentsOf: entity.text.utf8)
                index = entity.end
            } else {
                if !(byte == B.ascii("\r") && index + 1 < bytes.count && bytes[index + 1] == B.ascii("\n")) { content.append(byte) }
                index += 1
            }
        }
        if block, content.first == B.ascii("\n") { content.removeFirst() }
        let code = B.string(content)
        add(block ? .codeBlock(code) : .code(code))
        return index
    }

    /// Adds content to the innermost element, after the line break a block boundary asks for.
    private mutating func add(_ span: RichText.Span) {
        if blockBreak {
            blockBreak = false
            if wroteAny && !lastWasBreak { frames[frames.count - 1].spans.append(.lineBreak) }
        }
        frames[frames.count - 1].spans.append(span)
        wroteAny = true
        lastWasBreak = span == .lineBreak
    }

    /// Text between blocks that is only whitespace is layout, not content; so is the whitespace
    /// that starts a block.
    private mutating func flushText() {
        guard !text.isEmpty else { return }
        defer { text.removeAll(keepingCapacity: true) }
        var start = 0
        if blockBreak {
            while start < text.count, text[start] == B.ascii(" ") || text[start] == B.ascii("\t") || text[start] == B.ascii("\n") { start += 1 }
            guard start < text.count else { return }
        }
        add(.text(B.string(text[start...])))
    }
}
