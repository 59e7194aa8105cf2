/// What `GET /Groups?filter=` can ask for: Entra looks groups up by `displayName`; `members`
/// (`members eq "…"`, `members.value eq "…"`, `members[value eq "…"]`) asks whether a user is one.
public enum ScimGroupFilterAttribute: String, ScimFilterAttribute, CaseIterable {
    case id, displayName, externalId
    /// A member's id, as this endpoint assigned it.
    case member

    public init?(path: ScimAttributePath) {
        if path.names("members") || path.names("members", "value") {
            self = .member
            return
        }
        guard let attribute = Self.allCases.first(where: { $0 != .member && path.names($0.rawValue) }) else { return nil }
        self = attribute
    }

    public var isBoolean: Bool { false }

    /// `displayName` compares without case (RFC 7643 §8.7.1); `id`, `externalId` (§3.1) and
    /// member ids, which this endpoint assigned, compare exactly.
    public var isCaseExact: Bool { self != .displayName }
}
