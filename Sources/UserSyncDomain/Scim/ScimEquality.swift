/// One `attribute eq value` of a filter that is a conjunction of them.
public struct ScimEquality<Attribute: ScimFilterAttribute>: Sendable, Hashable {
    public let attribute: Attribute
    public let value: Value

    public init(_ attribute: Attribute, _ value: Value) {
        self.attribute = attribute
        self.value = value
    }

    public enum Value: Sendable, Hashable {
        case string(String)
        case boolean(Bool)
    }
}
