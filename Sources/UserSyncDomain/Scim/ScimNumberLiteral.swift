import Foundation

/// JSON number literals in filters (`meta.version gt 3`), exactly RFC 8259's grammar.
enum ScimNumberLiteral {
    static func parse(_ word: String) -> Decimal? {
        guard word.wholeMatch(of: #/-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/#) != nil else { return nil }
        return Decimal(string: word, locale: Locale(identifier: "en_US_POSIX"))
    }
}
