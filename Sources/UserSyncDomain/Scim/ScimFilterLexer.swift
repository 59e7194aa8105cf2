/// Splits filter or PATCH path text into tokens: brackets, parentheses, JSON string literals
/// and words (attribute paths, operators, keywords, `true`/`false`/`null`, numbers).
///
/// Whitespace only separates tokens, so `(`, `)`, `[` and `]` need no spaces around them and
/// `].value` lexes as `]` then the word `.value`.
struct ScimFilterLexer {
    struct Token: Equatable {
        enum Kind: Equatable {
            case openParen, closeParen, openBracket, closeBracket
            case string(String)
            case word(String)
        }

        let kind: Kind
        /// 1-based character position in the text, for error details.
        let position: Int

        /// How the token reads in an error detail.
        var quoted: String {
            switch kind {
            case .openParen: "'('"
            case .closeParen: "')'"
            case .openBracket: "'['"
            case .closeBracket: "']'"
            case .string(let text): ScimFilter.quoted(text)
            case .word(let word): "'\(word)'"
            }
        }
    }

    /// What the text is called in error details ("filter", "path") and the 400 it raises.
    let subject: String
    let scimType: ScimError.ScimType

    func tokens(of text: String) throws(ScimError) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let position = index + 1
            switch scalar {
            case _ where scalar.properties.isWhitespace:
                index += 1
            case "(":
                tokens.append(Token(kind: .openParen, position: position))
                index += 1
            case ")":
                tokens.append(Token(kind: .closeParen, position: position))
                index += 1
            case "[":
                tokens.append(Token(kind: .openBracket, position: position))
                index += 1
            case "]":
                tokens.append(Token(kind: .closeBracket, position: position))
                index += 1
            case "\"":
                let (string, end) = try stringLiteral(scalars, openingAt: index)
                tokens.append(Token(kind: .string(string), position: position))
                index = end
            case "'":
                throw error("Strings must be in double quotes (found ' at character \(position)).")
            default:
                var word = String.UnicodeScalarView()
                while index < scalars.count, !Self.endsWord(scalars[index]) {
                    word.append(scalars[index])
                    index += 1
                }
                tokens.append(Token(kind: .word(String(word)), position: position))
            }
        }
        return tokens
    }

    private static func endsWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || "()[]\"".unicodeScalars.contains(scalar)
    }

    /// A JSON string literal starting at the quote at `start`: its value and the index after
    /// its closing quote. Escapes are JSON's (RFC 8259 §7), including surrogate pairs.
    private func stringLiteral(_ scalars: [Unicode.Scalar], openingAt start: Int) throws(ScimError) -> (String, Int) {
        var value = String.UnicodeScalarView()
        var index = start + 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" { return (String(value), index + 1) }
            guard scalar == "\\" else {
                value.append(scalar)
                index += 1
                continue
            }
            guard index + 1 < scalars.count else { break }
            let escape = scalars[index + 1]
            switch escape {
            case "\"", "\\", "/": value.append(escape)
            case "b": value.append("\u{08}")
            case "f": value.append("\u{0C}")
            case "n": value.append("\n")
            case "r": value.append("\r")
            case "t": value.append("\t")
            case "u":
                let (decoded, end) = try unicodeEscape(scalars, at: index)
                value.append(decoded)
                index = end
                continue
            default:
                throw error("Invalid escape '\\\(escape)' at character \(index + 1) in the string starting at character \(start + 1).")
            }
            index += 2
        }
        throw error("The string starting at character \(start + 1) has no closing double quote.")
    }

    /// `\uXXXX` at `index` (the backslash), combining a UTF-16 surrogate pair when the high half
    /// is followed by `\uXXXX` with the low half.
    private func unicodeEscape(_ scalars: [Unicode.Scalar], at index: Int) throws(ScimError) -> (Unicode.Scalar, Int) {
        func hex(at start: Int) -> UInt32? {
            guard start + 4 <= scalars.count else { return nil }
            let digits = scalars[start..<start + 4]
            guard digits.allSatisfy(\.properties.isASCIIHexDigit) else { return nil }
            return UInt32(String(String.UnicodeScalarView(digits)), radix: 16)
        }
        let invalid = error("Invalid \\u escape at character \(index + 1): it needs four hex digits and a whole surrogate pair.")
        guard let unit = hex(at: index + 2) else { throw invalid }
        if (0xD800...0xDBFF).contains(unit) {
            guard index + 7 < scalars.count, scalars[index + 6] == "\\", scalars[index + 7] == "u",
                let low = hex(at: index + 8), (0xDC00...0xDFFF).contains(low),
                let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            else { throw invalid }
            return (scalar, index + 12)
        }
        guard let scalar = Unicode.Scalar(unit) else { throw invalid }
        return (scalar, index + 6)
    }

    func error(_ detail: String) -> ScimError {
        .badRequest(scimType, "Invalid \(subject): \(detail)")
    }
}
