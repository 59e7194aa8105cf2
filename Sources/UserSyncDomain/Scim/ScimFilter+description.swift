/// Filters render back to canonical filter text (lower-case keywords, JSON-quoted strings,
/// parentheses only where precedence needs them) for logs, error details and tests.
extension ScimFilter: CustomStringConvertible {
    public var description: String {
        switch self {
        case .compare(let path, let op, let value): "\(path) \(op.rawValue) \(value)"
        case .present(let path): "\(path) pr"
        case .valuePath(let path): "\(path)"
        case .and(let left, let right): "\(left.operand(inside: .and)) and \(right.operand(inside: .and))"
        case .or(let left, let right): "\(left.operand(inside: .or)) or \(right.operand(inside: .or))"
        case .not(let inner): "not (\(inner))"
        }
    }

    private enum Logical { case and, or }

    /// `and` binds tighter than `or`, so only an `or` inside an `and` needs parentheses.
    private func operand(inside parent: Logical) -> String {
        if case .or = self, parent == .and { return "(\(self))" }
        return description
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
