import Foundation

/// A SCIM filter (RFC 7644 §3.4.2.2) as a tree: what `GET /Users?filter=…` and PATCH value
/// paths say, independent of how a repository answers it.
///
/// Parse with ``parse(_:)``; a repository either walks the tree or asks for the narrow form it
/// supports with ``equalities(on:)``.
public indirect enum ScimFilter: Sendable, Hashable {
    /// `userName eq "a@b.c"`, also with a value path: `emails[type eq "work"].value eq "a@b.c"`.
    case compare(ScimAttributePath, Operator, Value)
    /// `title pr`: the attribute has a non-empty value.
    case present(ScimAttributePath)
    /// `emails[type eq "work"]` on its own: some value of the multi-valued attribute matches
    /// the path's ``ScimAttributePath/valueFilter``.
    case valuePath(ScimAttributePath)
    case and(ScimFilter, ScimFilter)
    case or(ScimFilter, ScimFilter)
    case not(ScimFilter)

    /// The comparison operators of RFC 7644 §3.4.2.2 (`pr` is ``ScimFilter/present(_:)``).
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case eq, ne, co, sw, ew, gt, ge, lt, le
    }

    /// A literal: JSON string, boolean, null or number.
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        case string(String)
        case boolean(Bool)
        case null
        case number(Decimal)

        /// The literal as it would be written in a filter: strings JSON-quoted.
        public var description: String {
            switch self {
            case .string(let text): ScimFilter.quoted(text)
            case .boolean(let flag): String(flag)
            case .null: "null"
            case .number(let number): "\(number)"
            }
        }
    }

    /// The operands of the top-level `and`s, left to right: `a and (b and c)` gives `[a, b, c]`;
    /// any other filter is one conjunct.
    public var conjuncts: [ScimFilter] {
        if case .and(let left, let right) = self { return left.conjuncts + right.conjuncts }
        return [self]
    }

    /// Longest filter accepted, in characters. Entra and Okta send one short comparison; the
    /// bound keeps a hostile query from costing parse time.
    public static let maximumLength = 4_096
    /// Deepest nesting of parentheses, `not` and brackets; bounds the parser's recursion.
    public static let maximumDepth = 32
}
