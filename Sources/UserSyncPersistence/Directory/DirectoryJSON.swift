import Foundation
import UserSyncDomain

/// Reads the JSON columns of the `people_directory` view (sql/0015, sql/0018): one positional
/// array per account, sync or sync event, times as epoch seconds. Parsed into a small tree and read
/// by position: Foundation's `JSONDecoder` (containers, coding paths, a decoder per value) was
/// a twelfth of `serve`'s time on a person's read.
enum DirectoryJSON {
    struct Malformed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "people_directory JSON: \(reason)" }
    }

    static func accounts(_ json: String) throws -> [Person.Account] {
        try Value.parse(json).elements().map { entry in
            var c = try Cursor(entry)
            return Person.Account(
                id: AccountID(try c.uuid()), connectionID: ConnectionID(try c.uuid()),
                platform: Platform(rawValue: try c.string()) ?? .slack, platformUserID: try c.string(),
                email: try c.optionalString(), emails: try c.strings(), displayName: try c.optionalString(),
                realName: try c.optionalString(), isGuest: try c.bool(), isActive: try c.bool(), deactivatedAt: try c.date(),
                deactivationReason: try c.optionalString().flatMap(Person.DeactivationReason.init(rawValue:)),
                firstSeenAt: try c.date() ?? .distantPast, changedAt: try c.date() ?? .distantPast)
        }
    }

    /// The syncs of `json`, each with its events from `history` (events by sync id).
    static func syncs(_ json: String, history: String, organization: OrganizationID, person: PersonID) throws -> [Sync] {
        var events: [UUID: [SyncEvent]] = [:]
        for (key, entries) in try Value.parse(history).members() {
            guard let id = UUID(text: key) else { throw Malformed(reason: "history key \(key) is not an id") }
            events[id] = try entries.elements().map { entry in
                var c = try Cursor(entry)
                return SyncEvent(
                    fromStatus: try c.optionalString().flatMap(SyncStatus.init(rawValue:)),
                    toStatus: SyncStatus(rawValue: try c.string()) ?? .failed, cause: try c.optionalString().flatMap(SyncCause.init(rawValue:)),
                    message: try c.string(), actorKind: try c.string(), actorID: try c.optionalString(),
                    nextRetryAt: try c.date(), fixAction: try c.optionalString(), createdAt: try c.date() ?? .distantPast)
            }
        }
        return try Value.parse(json).elements().map { entry in
            var c = try Cursor(entry)
            let id = try c.uuid()
            return Sync(
                id: SyncID(id), organizationID: organization, personID: person,
                connectionID: ConnectionID(try c.uuid()), platform: Platform(rawValue: try c.string()) ?? .slack,
                mode: try c.optionalString().flatMap(SyncMode.init(rawValue:)),
                status: SyncStatus(rawValue: try c.string()) ?? .failed, cause: try c.optionalString().flatMap(SyncCause.init(rawValue:)),
                message: try c.optionalString(), nextRetryAt: try c.date(), fixAction: try c.optionalString(),
                linkedAccountID: try c.optionalString().flatMap { UUID(text: $0) }.map(AccountID.init),
                virtualIdentity: try c.optionalString(), virtualKind: try c.optionalString().flatMap(VirtualKind.init(rawValue:)),
                hasUserTokens: try c.bool(), userTokenExpiresAt: try c.date(), createdBy: try c.string(),
                createdAt: try c.date() ?? .distantPast, updatedAt: try c.date() ?? .distantPast, history: events[id] ?? [])
        }
    }

    /// A JSON value.
    enum Value: Equatable {
        case null, bool(Bool), number(Double), string(String), array([Value]), object([String: Value])

        static func parse(_ text: String) throws -> Value {
            var text = text
            return try text.withUTF8 { bytes in
                var parser = Parser(bytes: bytes)
                let value = try parser.value()
                parser.skipSpace()
                guard parser.index == bytes.count else { throw Malformed(reason: "text after the value at byte \(parser.index)") }
                return value
            }
        }

        func elements() throws -> [Value] {
            guard case .array(let elements) = self else { throw Malformed(reason: "expected an array") }
            return elements
        }

        func members() throws -> [String: Value] {
            guard case .object(let members) = self else { throw Malformed(reason: "expected an object") }
            return members
        }
    }

    /// Reads a positional array's elements in order.
    private struct Cursor {
        private let elements: [Value]
        private var next = 0

        init(_ value: Value) throws { elements = try value.elements() }

        private mutating func take() throws -> Value {
            guard next < elements.count else { throw Malformed(reason: "an entry has \(elements.count) fields, fewer than expected") }
            defer { next += 1 }
            return elements[next]
        }

        mutating func optionalString() throws -> String? {
            switch try take() {
            case .null: return nil
            case .string(let text): return text
            default: throw Malformed(reason: "field \(next) is not text")
            }
        }

        mutating func string() throws -> String {
            guard let text = try optionalString() else { throw Malformed(reason: "field \(next) is null") }
            return text
        }

        mutating func uuid() throws -> UUID {
            guard let id = UUID(text: try string()) else { throw Malformed(reason: "field \(next) is not an id") }
            return id
        }

        mutating func bool() throws -> Bool {
            guard case .bool(let value) = try take() else { throw Malformed(reason: "field \(next) is not a boolean") }
            return value
        }

        /// A time as epoch seconds (microseconds in the fraction), or nil.
        mutating func date() throws -> Date? {
            switch try take() {
            case .null: return nil
            case .number(let seconds): return Date(timeIntervalSince1970: seconds)
            default: throw Malformed(reason: "field \(next) is not a time")
            }
        }

        mutating func strings() throws -> [String] {
            try take().elements().map { element in
                guard case .string(let text) = element else { throw Malformed(reason: "field \(next) holds something else than text") }
                return text
            }
        }
    }

    /// RFC 8259 JSON over UTF-8 bytes.
    private struct Parser {
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

        private mutating func literal(_ word: StaticString, _ value: Value) throws -> Value {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count,
                word.withUTF8Buffer({ $0.elementsEqual(bytes[index..<(index + count)]) })
            else {
                throw Malformed(reason: "unexpected text at byte \(index)")
            }
            index += count
            return value
        }

        mutating func value() throws -> Value {
            skipSpace()
            guard index < bytes.count else { throw Malformed(reason: "the text ends before a value") }
            switch bytes[index] {
            case UInt8(ascii: "["):
                index += 1
                var elements: [Value] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                repeat {
                    elements.append(try value())
                    skipSpace()
                } while try separator(closing: UInt8(ascii: "]"))
                return .array(elements)
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: Value] = [:]
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
                    members[key] = try value()
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

        private mutating func number() throws -> Value {
            let start = index
            numeral: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
                    UInt8(ascii: "E"):
                    index += 1
                default: break numeral
                }
            }
            guard index > start, let number = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
                throw Malformed(reason: "unexpected text at byte \(start)")
            }
            return .number(number)
        }

        /// A string at `index` (its opening quote).
        private mutating func string() throws -> String {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
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
            guard index + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
            else {
                throw Malformed(reason: "invalid \\u escape")
            }
            index += 4
            return value
        }
    }
}
