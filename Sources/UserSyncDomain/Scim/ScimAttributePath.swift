/// An attribute path: `userName`, `name.givenName`, `emails[type eq "work"].value`,
/// `members[value eq "…"]`, `urn:…:enterprise:2.0:User:employeeNumber`.
///
/// One type serves filters (RFC 7644 §3.4.2.2 `attrPath`, plus the `valuePath` form Entra uses
/// in filters) and PATCH paths (§3.5.2 `attrPath / valuePath [subAttr]`). Names compare without
/// case (RFC 7643 §2.1), so `Emails[Type eq "work"].Value` equals `emails[type eq "work"].value`.
public struct ScimAttributePath: Sendable, CustomStringConvertible {
    /// The schema URN written before the attribute, for extension attributes; nil for the core
    /// User and Group schemas, whose URN prefix is dropped when parsing (it adds nothing).
    public let schema: String?
    public let attribute: String
    /// The filter in brackets, relative to ``attribute``: `type eq "work"` in `emails[type eq "work"]`.
    public let valueFilter: ScimFilter?
    public let subAttribute: String?

    public init(schema: String? = nil, attribute: String, valueFilter: ScimFilter? = nil, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.valueFilter = valueFilter
        self.subAttribute = subAttribute
    }

    /// Whether this is the plain path `attribute[.subAttribute]` of a core schema, compared
    /// without case; a path with a schema URN or a value filter never matches.
    public func names(_ attribute: String, _ subAttribute: String? = nil) -> Bool {
        schema == nil && valueFilter == nil
            && self.attribute.lowercased() == attribute.lowercased()
            && self.subAttribute?.lowercased() == subAttribute?.lowercased()
    }

    /// Whether the path is in an extension schema (enterprise or custom), which this endpoint
    /// does not store.
    public var isExtension: Bool { schema != nil }

    public var description: String {
        var text = schema.map { "\($0):" } ?? ""
        text += attribute
        if let valueFilter { text += "[\(valueFilter)]" }
        if let subAttribute { text += ".\(subAttribute)" }
        return text
    }
}

extension ScimAttributePath: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.schema?.lowercased() == rhs.schema?.lowercased() && lhs.attribute.lowercased() == rhs.attribute.lowercased()
            && lhs.valueFilter == rhs.valueFilter && lhs.subAttribute?.lowercased() == rhs.subAttribute?.lowercased()
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(schema?.lowercased())
        hasher.combine(attribute.lowercased())
        hasher.combine(valueFilter)
        hasher.combine(subAttribute?.lowercased())
    }
}
