import Foundation

/// The emphasis markers of Slack mrkdwn and of Webex and Zoom markdown. Only the same marker
/// closes a marker: `*` never closes `_` or `**`.
enum DelimiterMarker: Int, CaseIterable {
    case star, doubleStar, underscore, doubleUnderscore, tilde, doubleTilde

    var text: String {
        switch self {
        case .star: "*"
        case .doubleStar: "**"
        case .underscore: "_"
        case .doubleUnderscore: "__"
        case .tilde: "~"
        case .doubleTilde: "~~"
        }
    }
}

/// A run of emphasis markers, which becomes a style only when it pairs with a closing one.
struct InlineDelimiter {
    var marker: DelimiterMarker
    var style: RichText.Style
    var canOpen: Bool
    var canClose: Bool
}

/// Collects a parser's spans and delimiters and pairs the delimiters as they come, the way
/// CommonMark's delimiter stack does, simplified: a closer takes the nearest open opener of its
/// marker, openers between the two stay text (crossing styles are not styles), and an opener
/// right before its closer stays text (no empty styles). Unpaired delimiters are text. Linear:
/// every opener is pushed and popped at most once.
struct InlineBuilder {
    private enum Token {
        case span(RichText.Span)
        case delimiter(InlineDelimiter)
    }

    private var tokens: [Token] = []
    private var partners: [Int?] = []
    /// The open openers of each marker, by token index, innermost last.
    private var openers = [[Int]](repeating: [], count: DelimiterMarker.allCases.count)
    private var lineBreaks = 0
    /// How many line breaks in a row close every open marker: 1 in Slack (styles do not span
    /// lines), 2 in markdown (a blank line ends the paragraph).
    private let lineBreaksEndingStyles: Int

    init(lineBreaksEndingStyles: Int) {
        self.lineBreaksEndingStyles = lineBreaksEndingStyles
    }

    mutating func add(_ span: RichText.Span) {
        if span == .lineBreak {
            lineBreaks += 1
            if lineBreaks >= lineBreaksEndingStyles {
                for marker in openers.indices { openers[marker].removeAll() }
            }
        } else {
            lineBreaks = 0
        }
        tokens.append(.span(span))
        partners.append(nil)
    }

    mutating func add(_ delimiter: InlineDelimiter) {
        lineBreaks = 0
        let index = tokens.count
        tokens.append(.delimiter(delimiter))
        partners.append(nil)
        let marker = delimiter.marker.rawValue
        if delimiter.canClose, let opener = openers[marker].last, opener != index - 1 {
            for other in openers.indices {
                while let last = openers[other].last, last > opener { openers[other].removeLast() }
            }
            openers[marker].removeLast()
            partners[opener] = index
            partners[index] = opener
        } else if delimiter.canOpen {
            openers[marker].append(index)
        }
    }

    /// The token index of the innermost open opener of `marker`.
    func innermostOpener(_ marker: DelimiterMarker) -> Int? {
        openers[marker.rawValue].last
    }

    /// The spans, paired delimiters made styles and the others text. Pairs nest properly (a pair
    /// never crosses another), so one stack of frames builds the tree.
    func spans() -> [RichText.Span] {
        var partners = partners
        var frames: [(style: RichText.Style?, spans: [RichText.Span])] = [(nil, [])]
        for (index, token) in tokens.enumerated() {
            switch token {
            case .span(let span):
                RichText.merge(span, into: &frames[frames.count - 1].spans)
            case .delimiter(let delimiter):
                if let partner = partners[index], partner > index, frames.count <= RichText.maximumNesting {
                    frames.append((delimiter.style, []))
                } else if let partner = partners[index], partner < index {
                    let frame = frames.removeLast()
                    frames[frames.count - 1].spans.append(RichText.styled(frame.style ?? delimiter.style, frame.spans))
                } else {
                    if let partner = partners[index] { partners[partner] = nil }
                    RichText.merge(.text(delimiter.marker.text), into: &frames[frames.count - 1].spans)
                }
            }
        }
        return frames[0].spans
    }
}
