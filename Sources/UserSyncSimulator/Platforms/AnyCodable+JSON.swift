import UserSyncDomain

/// JSON text read into, and written from, ``AnyCodable`` by hand. The simulator reads every JSON
/// request body and writes most replies this way: through `JSONDecoder` a value of unknown type
/// is found by trying each type in turn, each failure a thrown error, which made reading request
/// bodies a quarter of the simulator's CPU in the bulk-sync benchmark.
extension AnyCodable {
    /// A JSON document (RFC 8259), or nil when it is not one.
    static func parse(json bytes: [UInt8]) -> AnyCodable? {
        var reader = JSONReader(bytes)
        guard let value = reader.value(depth: 0), reader.atEnd else { return nil }
        return value
    }

    /// A JSON object's members as form fields: a string as its text, a number or a boolean as
    /// written, null as empty, and an object or a list as the JSON text it was sent as.
    static func fields(json bytes: [UInt8]) -> [String: String]? {
        var reader = JSONReader(bytes)
        var fields: [String: String] = [:]
        let read = reader.object(depth: 0) { key, reader in
            let start = reader.skipSpace()
            guard let value = reader.value(depth: 1) else { return false }
            switch value {
            case .array, .object: fields[key] = String(decoding: bytes[start..<reader.index], as: UTF8.self)
            case .double, .int: fields[key] = String(decoding: bytes[start..<reader.index], as: UTF8.self)
            default: fields[key] = value.fieldText
            }
            return true
        }
        guard read != nil, reader.atEnd else { return nil }
        return fields
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

/// A recursive-descent reader over a JSON document's bytes.
private struct JSONReader {
    let bytes: [UInt8]
    var index = 0
    /// Deeper nesting is refused rather than risking the stack.
    static let maximumDepth = 256

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    @discardableResult
    mutating func skipSpace() -> Int {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        return index
    }

    mutating func value(depth: Int) -> AnyCodable? {
        guard depth < Self.maximumDepth, skipSpace() < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map(AnyCodable.string)
        case UInt8(ascii: "{"):
            var members: [String: AnyCodable] = [:]
            let read = object(depth: depth) { key, reader in
                guard let value = reader.value(depth: depth + 1) else { return false }
                members[key] = value
                return true
            }
            return read.map { members }.map(AnyCodable.object)
        case UInt8(ascii: "["):
            index += 1
            var values: [AnyCodable] = []
            if skipSpace() < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                guard let value = value(depth: depth + 1) else { return nil }
                values.append(value)
                guard skipSpace() < bytes.count else { return nil }
                index += 1
                switch bytes[index - 1] {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "]"): return .array(values)
                default: return nil
                }
            }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    /// An object's members, each handed to `member` with the reader placed at its value; nil when
    /// the object is malformed or `member` says so.
    mutating func object(depth: Int, _ member: (String, inout JSONReader) -> Bool) -> Void? {
        guard skipSpace() < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        if skipSpace() < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return ()
        }
        while true {
            guard skipSpace() < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string(),
                skipSpace() < bytes.count, bytes[index] == UInt8(ascii: ":")
            else { return nil }
            index += 1
            guard member(key, &self), skipSpace() < bytes.count else { return nil }
            index += 1
            switch bytes[index - 1] {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return ()
            default: return nil
            }
        }
    }

    private mutating func literal(_ word: String, _ value: AnyCodable) -> AnyCodable? {
        let word = Array(word.utf8)
        guard bytes.count - index >= word.count, bytes[index..<index + word.count].elementsEqual(word) else { return nil }
        index += word.count
        return value
    }

    /// A number as JSON's grammar has it: an integer that fits as `.int`, any other as `.double`.
    private mutating func number() -> AnyCodable? {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return nil }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            integral = false
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            integral = false
            if index < bytes.count, [UInt8(ascii: "+"), UInt8(ascii: "-")].contains(bytes[index]) { index += 1 }
            guard digits() > 0 else { return nil }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let value = Int(text) { return .int(value) }
        return Double(text).map(AnyCodable.double)
    }

    /// A string, its escapes resolved; the reader is at its opening quote.
    mutating func string() -> String? {
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            index += 1
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<index - 1], as: UTF8.self)
        }
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                index += 1
                switch bytes[index - 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(bytes[index - 1])
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    text += String(Character(scalar)).utf8
                default: return nil
                }
            case 0..<0x20: return nil
            default: text.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\u` escape, the reader just past the `u`: a surrogate pair as one scalar.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hexQuad() else { return nil }
        guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
        guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
        index += 2
        guard let low = hexQuad(), (0xDC00..<0xE000).contains(low) else { return nil }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    private mutating func hexQuad() -> UInt32? {
        guard bytes.count - index >= 4, bytes[index..<index + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
            let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { return nil }
        index += 4
        return value
    }
}
