/// One invalid field of a request, in terms a client can act on.
public struct FieldError: Sendable, Equatable, Codable {
    /// JSON path of the field, e.g. `name` or `items[2].email`.
    public let field: String
    /// Machine-readable reason: `required`, `invalid_type`, `invalid_format`, `too_long`, …
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}
