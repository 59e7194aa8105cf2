import Foundation

/// Splits a migration file into statements. PostgresNIO speaks only the extended protocol, which
/// takes one statement at a time, so a file's statements are sent one by one (inside the
/// migration's single transaction). Semicolons inside quotes, quoted identifiers, dollar-quoted
/// bodies and comments do not split.
public enum SQLScript {
    public static func statements(_ sql: String) -> [String] {
        let characters = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty, !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }

        func copy(until end: [Unicode.Scalar], from start: Int) -> Int {
            // Copies from `start` through the first occurrence of `end` (or to the end of input).
            var i = start
            while i < characters.count {
                if characters[i...].starts(with: end) {
                    current.append(contentsOf: end)
                    return i + end.count
                }
                current.append(characters[i])
                i += 1
            }
            return i
        }

        while index < characters.count {
            let c = characters[index]
            let next: Unicode.Scalar? = index + 1 < characters.count ? characters[index + 1] : nil
            switch c {
            case "'", "\"":
                current.append(c)
                index = copy(until: [c], from: index + 1)
            case "-" where next == "-":
                index = copy(until: ["\n"], from: index)
            case "/" where next == "*":
                current.append(contentsOf: ["/", "*"])
                index = copy(until: ["*", "/"], from: index + 2)
            case "$":
                if let tag = dollarTag(characters, at: index) {
                    current.append(contentsOf: tag)
                    index = copy(until: tag, from: index + tag.count)
                } else {
                    current.append(c)
                    index += 1
                }
            case ";":
                flush()
                index += 1
            default:
                current.append(c)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// `$$` or `$tag$` starting at `index`.
    private static func dollarTag(_ characters: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        var i = index + 1
        while i < characters.count,
            characters[i] == "_" || characters[i].properties.isAlphabetic
                || (i > index + 1 && ("0"..."9").contains(characters[i]))
        {
            i += 1
        }
        guard i < characters.count, characters[i] == "$" else { return nil }
        return Array(characters[index...i])
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return line.isEmpty || line.hasPrefix("--")
        }
    }
}
