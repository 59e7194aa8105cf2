/// An attribute a repository can answer `eq` on, in the narrow form ``ScimFilter/equalities(on:)``
/// returns. Each resource has one enum of them; the repository maps each case to a column.
public protocol ScimFilterAttribute: Sendable, Hashable {
    /// The attribute `path` names, or nil when the repository cannot filter on it.
    init?(path: ScimAttributePath)
    /// Whether the attribute holds `true`/`false` rather than a string.
    var isBoolean: Bool { get }
    /// Whether `eq` compares with case (RFC 7643 §8.7 `caseExact`). When false the repository
    /// must compare without it: Okta checks `userName eq` before creating, and a case-sensitive
    /// miss would create a duplicate.
    var isCaseExact: Bool { get }
}
