import Foundation
import NIOCore
import UserSyncDomain

/// A representation that writes its own JSON: the ones the API sends most, in bulk (people pages,
/// a person, syncs). Foundation's `JSONEncoder` (snake-case keys, sorted keys, ISO 8601 dates,
/// values boxed one by one) spent three quarters of a core on 500 pages of 50 people a minute;
/// written directly, the same bytes cost a small fraction of that. Keys are written as the API
/// names them, in alphabetical order like the encoder's, and optional fields as `null`.
protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

/// Writes JSON into bytes, one member or element at a time; commas are its business. The bytes
/// grow in an array and become one `ByteBuffer` at the end: appending to an array costs less per
/// byte than writing into a `ByteBuffer` (whose storage checks capacity and exclusive access on
/// every write), and a page is tens of thousands of small writes.
struct JSONWriter {
    private var bytes: [UInt8] = []
    /// Whether the innermost object or array already has a member or element.
    private var hasMember = false

    init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// What has been written.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    static func bytes(of value: some JSONWritable) -> ByteBuffer {
        var writer = JSONWriter()
        value.write(to: &writer)
        return writer.buffer
    }

    private mutating func emit(_ byte: UInt8) { bytes.append(byte) }

    private mutating func emit(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    // MARK: Structure

    mutating func object(_ members: (inout JSONWriter) -> Void) {
        emit(UInt8(ascii: "{"))
        let outer = hasMember
        hasMember = false
        members(&self)
        hasMember = outer
        emit(UInt8(ascii: "}"))
    }

    mutating func array<Elements: Sequence>(_ elements: Elements, _ write: (inout JSONWriter, Elements.Element) -> Void) {
        emit(UInt8(ascii: "["))
        let outer = hasMember
        hasMember = false
        for element in elements {
            separate()
            write(&self, element)
        }
        hasMember = outer
        emit(UInt8(ascii: "]"))
    }

    /// Starts a member of the current object; its value is written next.
    mutating func key(_ name: StaticString) {
        separate()
        emit(UInt8(ascii: "\""))
        emit(name)
        emit("\":")
    }

    private mutating func separate() {
        if hasMember { emit(UInt8(ascii: ",")) }
        hasMember = true
    }

    // MARK: Values

    mutating func null() { emit("null") }

    mutating func value(_ value: Bool) { emit(value ? "true" : "false") }

    mutating func value(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    mutating func value(_ value: String) {
        emit(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var pending = 0
            for index in utf8.indices {
                let byte = utf8[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[pending..<index]))
                    escape(byte)
                    pending = index + 1
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[pending...]))
        }
        emit(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): emit("\\\"")
        case UInt8(ascii: "\\"): emit("\\\\")
        case UInt8(ascii: "\n"): emit("\\n")
        case UInt8(ascii: "\r"): emit("\\r")
        case UInt8(ascii: "\t"): emit("\\t")
        case 0x08: emit("\\b")
        case 0x0C: emit("\\f")
        default:
            emit("\\u00")
            emit(Self.hex[Int(byte >> 4)])
            emit(Self.hex[Int(byte & 0x0F)])
        }
    }

    /// RFC 3339 in UTC to the second (`2026-12-03T13:22:03Z`), as the encoder's `.iso8601` writes it.
    mutating func value(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        emit(UInt8(ascii: "\""))
        digits(Int(parts.tm_year) + 1900, 4)
        emit(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        emit(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        emit(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        emit(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        emit(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        emit("Z\"")
    }

    private mutating func digits(_ number: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = number
        while divisor > 0 {
            emit(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    mutating func value<Tag>(_ id: Identifier<Tag>) { value(id.rawValue) }

    /// Lowercase and hyphenated, as `Identifier.description` spells it, written digit by digit:
    /// `uuidString` formats with `sprintf` and allocates twice, and a page of 50 people holds
    /// about a thousand ids.
    mutating func value(_ uuid: UUID) {
        emit(UInt8(ascii: "\""))
        UUID.write(uuid) { emit($0) }
        emit(UInt8(ascii: "\""))
    }

    mutating func value(_ platform: Platform) { value(platform.rawValue) }

    mutating func value(_ value: some JSONWritable) { value.write(to: &self) }

    // MARK: Members

    mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        self.value(value)
    }

    mutating func member(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    mutating func member(_ name: StaticString, _ value: Date?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    mutating func member<Tag>(_ name: StaticString, _ value: Identifier<Tag>?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    mutating func member(_ name: StaticString, _ value: Platform?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    mutating func member(_ name: StaticString, _ value: (some JSONWritable)?) {
        key(name)
        if let value { value.write(to: &self) } else { null() }
    }

    mutating func member(_ name: StaticString, _ values: [String]) {
        key(name)
        array(values) { $0.value($1) }
    }

    mutating func member(_ name: StaticString, _ values: [Platform]) {
        key(name)
        array(values) { $0.value($1) }
    }

    mutating func member(_ name: StaticString, _ values: [some JSONWritable]?) {
        key(name)
        if let values { array(values) { $0.value($1) } } else { null() }
    }
}
