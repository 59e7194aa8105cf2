import Foundation

extension RichText {
    enum Style: Hashable, Sendable {
        case bold, italic, strike
    }

    /// Styles in effect, as bits: asked for every span, so not a hashed set.
    struct Styles: OptionSet, Sendable {
        let rawValue: UInt8

        init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        init(_ style: Style) {
            rawValue = style == .bold ? 1 : style == .italic ? 2 : 4
        }
    }

    static func styled(_ style: Style, _ spans: [Span]) -> Span {
        switch style {
        case .bold: .bold(spans)
        case .italic: .italic(spans)
        case .strike: .strike(spans)
        }
    }

    /// The normal form ``RichText`` keeps (see its documentation).
    static func normalized(_ spans: [Span]) -> [Span] {
        var inline: [Span] = []
        append(spans, inside: [], to: &inline)
        guard inline.contains(where: { if case .codeBlock = $0 { true } else { false } }) else { return inline }
        var result: [Span] = []
        result.reserveCapacity(inline.count + 2)
        for (index, span) in inline.enumerated() {
            guard case .codeBlock = span else {
                result.append(span)
                continue
            }
            if let last = result.last, last != .lineBreak { result.append(.lineBreak) }
            result.append(span)
            if index + 1 < inline.count, inline[index + 1] != .lineBreak { result.append(.lineBreak) }
        }
        return result
    }

    private static func append(_ spans: [Span], inside styles: Styles, to result: inout [Span]) {
        for span in spans {
            switch span {
            case .text(let text): appendText(text, to: &result)
            case .bold(let children): appendStyled(.bold, children, inside: styles, to: &result)
            case .italic(let children): appendStyled(.italic, children, inside: styles, to: &result)
            case .strike(let children): appendStyled(.strike, children, inside: styles, to: &result)
            case .code(let text) where text.utf8.contains(UInt8(ascii: "\n")): result.append(.codeBlock(text))
            case .code(let text), .codeBlock(let text):
                if !text.isEmpty { merge(span, into: &result) }
            case .link(let url, let label):
                let label = label.map(singleLine).flatMap { $0.isEmpty || $0 == url ? nil : $0 }
                if url.isEmpty {
                    appendText(label ?? "", to: &result)
                } else {
                    result.append(.link(url: url, label: label))
                }
            case .mention(let mention):
                let name = mention.name.map(singleLine).flatMap { $0.isEmpty ? nil : $0 }
                result.append(.mention(Mention(userID: mention.userID, name: name)))
            case .lineBreak: result.append(.lineBreak)
            }
        }
    }

    /// Lines of `text` as text spans and line breaks (`\r\n` is one break).
    private static func appendText(_ text: String, to result: inout [Span]) {
        guard text.utf8.contains(UInt8(ascii: "\n")) else {
            merge(.text(text), into: &result)
            return
        }
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if index > 0 { result.append(.lineBreak) }
            var line = line[...]
            if index + 1 < lines.count, line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            merge(.text(String(decoding: line, as: UTF8.self)), into: &result)
        }
    }

    private static func appendStyled(_ style: Style, _ children: [Span], inside styles: Styles, to result: inout [Span]) {
        if styles.contains(Styles(style)) {
            append(children, inside: styles, to: &result)
            return
        }
        var inner: [Span] = []
        append(children, inside: styles.union(Styles(style)), to: &inner)
        var run: [Span] = []
        for span in inner {
            switch span {
            case .lineBreak, .codeBlock:
                if !run.isEmpty { merge(styled(style, run), into: &result) }
                run.removeAll()
                result.append(span)
            default:
                run.append(span)
            }
        }
        if !run.isEmpty { merge(styled(style, run), into: &result) }
    }

    /// Appends `span`, joined to the last span when they join.
    static func merge(_ span: Span, into result: inout [Span]) {
        if case .text(let text) = span, text.isEmpty { return }
        if result.isEmpty || !result[result.count - 1].join(span) { result.append(span) }
    }

    private static func singleLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }
}

extension RichText.Span {
    /// Joins `other` to the end of this span when both are text, code or the same style. The
    /// payload is taken out before it grows, so that it grows in place: a message of many small
    /// pieces stays linear.
    mutating func join(_ other: RichText.Span) -> Bool {
        switch other {
        case .text(let more):
            guard case .text(var text) = self else { return false }
            self = .lineBreak
            text += more
            self = .text(text)
        case .code(let more):
            guard case .code(var text) = self else { return false }
            self = .lineBreak
            text += more
            self = .code(text)
        case .bold(let more):
            guard case .bold(var spans) = self else { return false }
            self = .lineBreak
            for span in more { RichText.merge(span, into: &spans) }
            self = .bold(spans)
        case .italic(let more):
            guard case .italic(var spans) = self else { return false }
            self = .lineBreak
            for span in more { RichText.merge(span, into: &spans) }
            self = .italic(spans)
        case .strike(let more):
            guard case .strike(var spans) = self else { return false }
            self = .lineBreak
            for span in more { RichText.merge(span, into: &spans) }
            self = .strike(spans)
        default:
            return false
        }
        return true
    }
}
