extension ScimFilter {
    /// Parses `filter` text (RFC 7644 §3.4.2.2): comparisons with any of the nine operators and
    /// `pr`, `and`/`or`/`not`, parentheses, value paths (`emails[type eq "work"]`, also with a
    /// sub-attribute as Entra writes them in filters), JSON literals. Keywords, operators and
    /// attribute names are case-insensitive. Anything else is a 400 `invalidFilter` whose detail
    /// says where and what was expected.
    public static func parse(_ text: String) throws(ScimError) -> ScimFilter {
        var parser = try ScimFilterParser(text, subject: "filter", scimType: .invalidFilter)
        let filter = try parser.parseFilter()
        try parser.expectEnd()
        return filter
    }
}

extension ScimAttributePath {
    /// Parses a PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath` with an optional
    /// sub-attribute. Malformed paths are a 400 `invalidPath`.
    public static func parse(_ text: String) throws(ScimError) -> ScimAttributePath {
        var parser = try ScimFilterParser(text, subject: "path", scimType: .invalidPath)
        let path = try parser.parsePath(allowingValueFilter: true)
        try parser.expectEnd()
        return path
    }
}

/// Recursive descent over the lexer's tokens. Precedence, loosest first: `or`, `and`, `not`.
struct ScimFilterParser {
    private let tokens: [ScimFilterLexer.Token]
    private let lexer: ScimFilterLexer
    private var index = 0
    private var depth = 0

    init(_ text: String, subject: String, scimType: ScimError.ScimType) throws(ScimError) {
        lexer = ScimFilterLexer(subject: subject, scimType: scimType)
        guard text.unicodeScalars.count <= ScimFilter.maximumLength else {
            throw lexer.error("it is longer than \(ScimFilter.maximumLength) characters.")
        }
        tokens = try lexer.tokens(of: text)
        guard !tokens.isEmpty else { throw lexer.error("it is empty.") }
    }

    mutating func parseFilter(insideValuePath: Bool = false) throws(ScimError) -> ScimFilter {
        var filter = try parseConjunction(insideValuePath: insideValuePath)
        while takeKeyword("or") {
            filter = .or(filter, try parseConjunction(insideValuePath: insideValuePath))
        }
        return filter
    }

    private mutating func parseConjunction(insideValuePath: Bool) throws(ScimError) -> ScimFilter {
        var filter = try parseUnary(insideValuePath: insideValuePath)
        while takeKeyword("and") {
            filter = .and(filter, try parseUnary(insideValuePath: insideValuePath))
        }
        return filter
    }

    private mutating func parseUnary(insideValuePath: Bool) throws(ScimError) -> ScimFilter {
        if takeKeyword("not") {
            guard peek?.kind == .openParen else { throw expected("'(' after 'not'") }
            return .not(try parseParenthesized(insideValuePath: insideValuePath))
        }
        if peek?.kind == .openParen { return try parseParenthesized(insideValuePath: insideValuePath) }
        return try parseAttributeExpression(insideValuePath: insideValuePath)
    }

    private mutating func parseParenthesized(insideValuePath: Bool) throws(ScimError) -> ScimFilter {
        index += 1
        try enter()
        let filter = try parseFilter(insideValuePath: insideValuePath)
        guard peek?.kind == .closeParen else { throw expected("')' or 'and'/'or'") }
        index += 1
        depth -= 1
        return filter
    }

    /// `path pr`, `path op value`, or a bare value path `emails[type eq "work"]`.
    private mutating func parseAttributeExpression(insideValuePath: Bool) throws(ScimError) -> ScimFilter {
        let path = try parsePath(allowingValueFilter: !insideValuePath)
        if path.valueFilter != nil, path.subAttribute == nil { return .valuePath(path) }
        guard let token = peek, case .word(let word) = token.kind else {
            throw expected("an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after '\(path)'")
        }
        let name = word.lowercased()
        if name == "pr" {
            index += 1
            return .present(path)
        }
        guard let op = ScimFilter.Operator(rawValue: name) else {
            throw expected("an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after '\(path)'")
        }
        index += 1
        return .compare(path, op, try parseValue(after: op))
    }

    private mutating func parseValue(after op: ScimFilter.Operator) throws(ScimError) -> ScimFilter.Value {
        let what = "a value after '\(op.rawValue)' (a double-quoted string, true, false, null or a number)"
        guard let token = peek else { throw expected(what) }
        let value: ScimFilter.Value
        switch token.kind {
        case .string(let text): value = .string(text)
        case .word(let word):
            switch word.lowercased() {
            case "true": value = .boolean(true)
            case "false": value = .boolean(false)
            case "null": value = .null
            default:
                guard let number = ScimNumberLiteral.parse(word) else { throw expected(what) }
                value = .number(number)
            }
        default: throw expected(what)
        }
        index += 1
        return value
    }

    /// `[urn:…:]name[.sub]`, then optionally `[valFilter]` and `.sub` (value filters only where
    /// `allowingValueFilter`: RFC 7644 forbids nesting them).
    mutating func parsePath(allowingValueFilter: Bool) throws(ScimError) -> ScimAttributePath {
        guard let token = peek, case .word(let word) = token.kind else { throw expected("an attribute name") }
        guard let parts = Self.split(word) else {
            throw lexer.error(
                "'\(word)' at character \(token.position) is not an attribute path (letters, digits, '-', '_', one '.sub', an optional 'urn:…:' schema)."
            )
        }
        index += 1
        guard peek?.kind == .openBracket else {
            return ScimAttributePath(schema: parts.schema, attribute: parts.attribute, subAttribute: parts.subAttribute)
        }
        guard allowingValueFilter else { throw lexer.error("a filter in brackets cannot contain another one (character \(peek!.position)).") }
        guard parts.subAttribute == nil else { throw lexer.error("brackets must follow the multi-valued attribute, not '\(word)'.") }
        index += 1
        try enter()
        let filter = try parseFilter(insideValuePath: true)
        guard peek?.kind == .closeBracket else { throw expected("']' or 'and'/'or'") }
        index += 1
        depth -= 1
        var subAttribute: String?
        if let next = peek, case .word(let word) = next.kind, word.hasPrefix(".") {
            let name = String(word.dropFirst())
            guard Self.isAttributeName(name) else { throw lexer.error("'\(word)' at character \(next.position) is not a sub-attribute.") }
            subAttribute = name
            index += 1
        }
        return ScimAttributePath(schema: parts.schema, attribute: parts.attribute, valueFilter: filter, subAttribute: subAttribute)
    }

    mutating func expectEnd() throws(ScimError) {
        if let token = peek { throw lexer.error("unexpected \(token.quoted) at character \(token.position).") }
    }

    private var peek: ScimFilterLexer.Token? { index < tokens.count ? tokens[index] : nil }

    private mutating func takeKeyword(_ keyword: String) -> Bool {
        guard let token = peek, case .word(let word) = token.kind, word.lowercased() == keyword else { return false }
        index += 1
        return true
    }

    private mutating func enter() throws(ScimError) {
        depth += 1
        guard depth <= ScimFilter.maximumDepth else { throw lexer.error("it nests deeper than \(ScimFilter.maximumDepth) levels.") }
    }

    private func expected(_ what: String) -> ScimError {
        guard let token = peek else { return lexer.error("expected \(what), found the end.") }
        return lexer.error("expected \(what), found \(token.quoted) at character \(token.position).")
    }
}
