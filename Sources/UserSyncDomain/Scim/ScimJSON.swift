import Foundation

/// Any JSON value of a SCIM body, kept as sent so the rules can accept what Entra and Okta
/// actually send (`"active": "False"`, keys in any case, unknown extensions) instead of what a
/// `Codable` struct would insist on.
public enum ScimJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([ScimJSON])
    case object([String: ScimJSON])

    /// Parses a request body; anything that is not JSON is a 400 `invalidSyntax`.
    public static func parse(_ body: Data) throws(ScimError) -> ScimJSON {
        do {
            return try JSONDecoder().decode(ScimJSON.self, from: body)
        } catch {
            throw .invalidSyntax("The request body is not valid JSON.")
        }
    }

    /// The member named `name` of an object, matched without case (RFC 7643 §2.1: attribute
    /// names are case-insensitive; an exact match wins). Nil when absent or not an object.
    public subscript(attribute name: String) -> ScimJSON? {
        guard case .object(let members) = self else { return nil }
        if let exact = members[name] { return exact }
        let lowered = name.lowercased()
        return members.first { $0.key.lowercased() == lowered }?.value
    }

    /// What the value is, for error details ("got a number").
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A boolean as Entra sends it without the `aadOptscim062020` flag: the strings "True" and
    /// "False" (any case) count as booleans; anything else is nil.
    var lenientBool: Bool? {
        switch self {
        case .bool(let value): value
        case .string(let text):
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": true
            case "false": false
            default: nil
            }
        default: nil
        }
    }
}

extension ScimJSON: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode([ScimJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ScimJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
