import UserSyncDomain

/// JSON text read into, and written from, ``AnyCodable`` by hand (``JSONValue``, ``JSONWriter``),
/// not through `JSONDecoder` and `JSONEncoder`: the simulator reads every JSON request body and
/// writes most replies this way.
extension AnyCodable {
    /// A JSON document (RFC 8259), or nil when it is not one. A whole number is an `.int` when
    /// a `Double` holds it exactly.
    static func parse(json bytes: [UInt8]) -> AnyCodable? {
        (try? JSONValue.parse(bytes)).map(AnyCodable.init)
    }

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = value == value.rounded() && abs(value) < 0x1p53 ? .int(Int(value)) : .double(value)
        case .string(let value): self = .string(value)
        case .array(let values): self = .array(values.map(AnyCodable.init))
        case .object(let members): self = .object(members.mapValues(AnyCodable.init))
        }
    }

    /// A JSON object's members as form fields (``fieldText``): an object or a list as JSON text.
    static func fields(json bytes: [UInt8]) -> [String: String]? {
        guard case .object(let members) = parse(json: bytes) else { return nil }
        return members.mapValues(\.fieldText)
    }

    /// The value as compact JSON text, slashes unescaped.
    var json: [UInt8] { JSONWriter.bytes(of: self, capacity: 256) }
}

extension AnyCodable: JSONWritable {
    func write(to json: inout JSONWriter) {
        switch self {
        case .string(let value): json.value(value)
        case .int(let value): json.value(value)
        case .double(let value): json.value(value)
        case .bool(let value): json.value(value)
        case .null: json.null()
        case .array(let values): json.array(values) { $0.value($1) }
        case .object(let members):
            json.object {
                for (key, value) in members {
                    $0.key(key)
                    value.write(to: &$0)
                }
            }
        }
    }
}
