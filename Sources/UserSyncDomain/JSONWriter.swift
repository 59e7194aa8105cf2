import Foundation

/// A value that writes its own JSON: the representations the API sends most, in bulk (people
/// pages, a person, syncs), the rows the database reads as a JSON recordset, the simulator's
/// replies. Foundation's `JSONEncoder` (snake-case keys, sorted keys, ISO 8601 dates, values boxed
/// one by one) spent three quarters of a core on 500 pages of 50 people a minute; written
/// directly, the same bytes cost a small fraction of that. The API's representations write their
/// keys as the API names them, in alphabetical order like the encoder's, and optional fields as
/// `null`.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

/// Writes JSON into bytes, one member or element at a time; commas are its business. The bytes
/// grow in an array (the API makes one `ByteBuffer` of them at the end): appending to an array
/// costs less per byte than writing into a `ByteBuffer` (whose storage checks capacity and
/// exclusive access on every write), and a page is tens of thousands of small writes.
public struct JSONWriter {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []
    /// Whether the innermost object or array already has a member or element.
    private var hasMember = false

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON text of `value`.
    public static func bytes(of value: some JSONWritable, capacity: Int = 4096) -> [UInt8] {
        var writer = JSONWriter(capacity: capacity)
        value.write(to: &writer)
        return writer.bytes
    }

    private mutating func emit(_ byte: UInt8) { bytes.append(byte) }

    private mutating func emit(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    // MARK: Structure

    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        emit(UInt8(ascii: "{"))
        let outer = hasMember
        hasMember = false
        members(&self)
        hasMember = outer
        emit(UInt8(ascii: "}"))
    }

    public mutating func array<Elements: Sequence>(_ elements: Elements, _ write: (inout JSONWriter, Elements.Element) -> Void) {
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
    public mutating func key(_ name: StaticString) {
        separate()
        emit(UInt8(ascii: "\""))
        emit(name)
        emit("\":")
    }

    /// Starts a member whose name is only known at run time (a map's keys); escaped as a string.
    public mutating func key(_ name: String) {
        separate()
        value(name)
        emit(UInt8(ascii: ":"))
    }

    private mutating func separate() {
        if hasMember { emit(UInt8(ascii: ",")) }
        hasMember = true
    }

    // MARK: Values

    public mutating func null() { emit("null") }

    public mutating func value(_ value: Bool) { emit(value ? "true" : "false") }

    public mutating func value(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    /// Infinity and NaN, which JSON cannot spell, as `null`.
    public mutating func value(_ value: Double) {
        if value.isFinite { bytes.append(contentsOf: String(value).utf8) } else { null() }
    }

    public mutating func value(_ value: String) {
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

    /// RFC 3339 in UTC to the second (`2026-12-03T13:22:03Z`), as the encoder's `.iso8601` writes
    /// it, or to the millisecond (`2026-12-03T13:22:03.042Z`).
    public mutating func value(_ date: Date, milliseconds: Bool = false) {
        let thousandths = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t((Double(thousandths) / 1000).rounded(.down))
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
        if milliseconds {
            emit(UInt8(ascii: "."))
            digits(thousandths - Int(seconds) * 1000, 3)
        }
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

    public mutating func value<Tag>(_ id: Identifier<Tag>) { value(id.rawValue) }

    /// Lowercase and hyphenated, as `Identifier.description` spells it, written digit by digit:
    /// `uuidString` formats with `sprintf` and allocates twice, and a page of 50 people holds
    /// about a thousand ids.
    public mutating func value(_ uuid: UUID) {
        emit(UInt8(ascii: "\""))
        UUID.write(uuid) { emit($0) }
        emit(UInt8(ascii: "\""))
    }

    public mutating func value(_ platform: Platform) { value(platform.rawValue) }

    public mutating func value(_ value: some JSONWritable) { value.write(to: &self) }

    // MARK: Members

    public mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        self.value(value)
    }

    public mutating func member(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    public mutating func member(_ name: StaticString, _ value: Date?, milliseconds: Bool = false) {
        key(name)
        if let value { self.value(value, milliseconds: milliseconds) } else { null() }
    }

    public mutating func member(_ name: StaticString, _ value: UUID?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    public mutating func member<Tag>(_ name: StaticString, _ value: Identifier<Tag>?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    public mutating func member(_ name: StaticString, _ value: Platform?) {
        key(name)
        if let value { self.value(value) } else { null() }
    }

    public mutating func member(_ name: StaticString, _ value: (some JSONWritable)?) {
        key(name)
        if let value { value.write(to: &self) } else { null() }
    }

    public mutating func member(_ name: StaticString, _ values: [String]) {
        key(name)
        array(values) { $0.value($1) }
    }

    public mutating func member(_ name: StaticString, _ values: [Platform]) {
        key(name)
        array(values) { $0.value($1) }
    }

    public mutating func member(_ name: StaticString, _ values: [some JSONWritable]?) {
        key(name)
        if let values { array(values) { $0.value($1) } } else { null() }
    }
}
