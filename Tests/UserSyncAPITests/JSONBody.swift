import Foundation

/// A request body built from literals (`["op": "Add", "value": [["value": .string(id)]]]`), with
/// values of mixed types and explicit nulls, as SCIM identity providers send them (`"$ref": null`,
/// booleans as strings: "False").
enum JSONBody: Encodable, Sendable, ExpressibleByStringInterpolation, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case string(String), bool(Bool), null
    case array([JSONBody])
    case object([String: JSONBody])

    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(nilLiteral: ()) { self = .null }
    init(arrayLiteral elements: JSONBody...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONBody)...) { self = .object(Dictionary(uniqueKeysWithValues: elements)) }

    /// An array of strings (ids, mostly).
    static func strings(_ values: [String]) -> JSONBody { .array(values.map(JSONBody.string)) }

    /// An object's member (setting nil removes it).
    subscript(key: String) -> JSONBody? {
        get { if case .object(let members) = self { members[key] } else { nil } }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members)
        }
    }
}

/// A request body as JSON text, keys sorted.
func jsonText(_ body: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(body), as: UTF8.self)
}
