/// A JSON value read by hand (RFC 8259): the JSON columns of `people_directory`, and the request
/// bodies the simulator reads. Foundation's `JSONDecoder` costs a decoder, containers and coding
/// paths per value, and finds an untyped value's type by trying each in turn, each miss a thrown
/// error: a twelfth of `serve`'s time on a person's read, a quarter of the simulator's CPU.
public enum JSONValue: Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    /// Why a text is not JSON, or not the JSON a reader expects.
    public struct Malformed: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "malformed JSON: \(reason)" }

        public init(reason: String) { self.reason = reason }
    }

    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maximumDepth = 256

    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes in try parse(bytes) }
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { bytes in try parse(bytes) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw Malformed(reason: "text after the value at byte \(parser.index)") }
        return value
    }

    public func elements() throws -> [JSONValue] {
        guard case .array(let elements) = self else { throw Malformed(reason: "expected an array") }
        return elements
    }

    public func members() throws -> [String: JSONValue] {
        guard case .object(let members) = self else { throw Malformed(reason: "expected an object") }
        return members
    }
}

/// A recursive-descent reader over UTF-8 bytes.
private struct JSONParser {
    typealias Malformed = JSONValue.Malformed
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else {
            throw Malformed(reason: "expected '\(Character(Unicode.Scalar(byte)))' at byte \(index)")
        }
        index += 1
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count, word.withUTF8Buffer({ $0.elementsEqual(bytes[index..<(index + count)]) }) else {
            throw Malformed(reason: "unexpected text at byte \(index)")
        }
        index += count
        return value
    }

    mutating func value(depth: Int) throws -> JSONValue {
        skipSpace()
        guard index < bytes.count else { throw Malformed(reason: "the text ends before a value") }
        guard depth < JSONValue.maximumDepth else { throw Malformed(reason: "nested deeper than \(JSONValue.maximumDepth) at byte \(index)") }
        switch bytes[index] {
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            repeat {
                elements.append(try value(depth: depth + 1))
                skipSpace()
            } while try separator(closing: UInt8(ascii: "]"))
            return .array(elements)
        case UInt8(ascii: "{"):
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            repeat {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Malformed(reason: "expected a key at byte \(index)") }
                let key = try string()
                try expect(UInt8(ascii: ":"))
                members[key] = try value(depth: depth + 1)
                skipSpace()
            } while try separator(closing: UInt8(ascii: "}"))
            return .object(members)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    /// After an element: true at a comma, false at the closing bracket.
    private mutating func separator(closing: UInt8) throws -> Bool {
        guard index < bytes.count else { throw Malformed(reason: "the text ends inside an array or object") }
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == closing { return false }
        throw Malformed(reason: "expected ',' or the end of an array or object at byte \(index - 1)")
    }

    /// A number as JSON's grammar has it: no leading zeros, digits after a point or an exponent.
    private mutating func number() throws -> JSONValue {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = index
        let integerDigits = digits()
        var valid = integerDigits == 1 || integerDigits > 1 && bytes[integer] != UInt8(ascii: "0")
        if valid, index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            valid = digits() > 0
        }
        if valid, index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            valid = digits() > 0
        }
        guard valid, let number = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw Malformed(reason: "unexpected text at byte \(start)")
        }
        return .number(number)
    }

    /// A string at `index` (its opening quote). Control characters must be escaped.
    private mutating func string() throws -> String {
        index += 1
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 { index += 1 }
        guard index < bytes.count else { throw Malformed(reason: "unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"): try escape(into: &text)
            case 0..<0x20: throw Malformed(reason: "a control character in a string at byte \(index - 1)")
            default: text.append(byte)
            }
        }
        throw Malformed(reason: "unterminated string")
    }

    private mutating func escape(into text: inout [UInt8]) throws {
        guard index < bytes.count else { throw Malformed(reason: "unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                // A surrogate pair: the low half follows as another \u escape.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw Malformed(reason: "unpaired surrogate")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Malformed(reason: "unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Malformed(reason: "invalid \\u escape") }
            UTF8.encode(unicode) { text.append($0) }
        default: throw Malformed(reason: "invalid escape at byte \(index - 1)")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        let hex = { (byte: UInt8) in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
        }
        guard index + 4 <= bytes.count, bytes[index..<(index + 4)].allSatisfy(hex),
            let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
        else {
            throw Malformed(reason: "invalid \\u escape")
        }
        index += 4
        return value
    }
}
