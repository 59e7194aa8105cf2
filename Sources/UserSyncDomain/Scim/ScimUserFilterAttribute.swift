/// What `GET /Users?filter=` can ask for: what Entra (`userName`, `emails[type eq "work"].value`,
/// `externalId`) and Okta (`userName`) send, and the other attributes the endpoint stores.
public enum ScimUserFilterAttribute: String, ScimFilterAttribute, CaseIterable {
    case id, userName, externalId, displayName, active
    /// The stored email: `emails.value`, `emails[type eq "work"].value`,
    /// `emails[primary eq true].value` or `emails[value eq "…"]`.
    case email

    public init?(path: ScimAttributePath) {
        if path.names("emails", "value") || (path.subAttribute?.lowercased() == "value" && ScimEmailSelector(path) == .stored) {
            self = .email
            return
        }
        guard let attribute = Self.allCases.first(where: { $0 != .email && path.names($0.rawValue) }) else { return nil }
        self = attribute
    }

    public var isBoolean: Bool { self == .active }

    /// `id` and `externalId` are case-exact (RFC 7643 §3.1); `userName`, `displayName` and
    /// `emails.value` are not (§8.7.1).
    public var isCaseExact: Bool { self == .id || self == .externalId }
}
