import Foundation

/// One tag of Teams HTML: `<name attributes>`, `</name>` or `<!…>`. A tag ends at the first `>`
/// and holds no `<` (Teams escapes both inside attribute values), so looking for tags stays
/// linear whatever the text.
struct HTMLTag {
    private typealias B = MarkupBytes
    /// Lowercased; `!` for comments and doctypes.
    var name: String
    var isClosing: Bool
    /// The index after the `>`.
    var end: Int
    private var attributes: Range<Int>

    /// The tag at `index` (a `<`), or nil when the `<` starts none and is text.
    init?(_ bytes: [UInt8], at index: Int) {
        var close = index + 1
        while close < bytes.count, bytes[close] != B.ascii(">") {
            if bytes[close] == B.ascii("<") { return nil }
            close += 1
        }
        guard close < bytes.count else { return nil }
        var start = index + 1
        isClosing = start < close && bytes[start] == B.ascii("/")
        if isClosing { start += 1 }
        guard start < close else { return nil }
        if !isClosing && (bytes[start] == B.ascii("!") || bytes[start] == B.ascii("?")) {
            name = "!"
            end = close + 1
            attributes = close..<close
            return
        }
        guard (65...90).contains(bytes[start]) || (97...122).contains(bytes[start]) else { return nil }
        var nameEnd = start
        while nameEnd < close, B.isASCIIAlphanumeric(bytes[nameEnd]) || bytes[nameEnd] == B.ascii("-") || bytes[nameEnd] == B.ascii(":") {
            nameEnd += 1
        }
        guard nameEnd == close || bytes[nameEnd] <= 0x20 || bytes[nameEnd] == B.ascii("/") else { return nil }
        name = B.string(bytes[start..<nameEnd]).lowercased()
        end = close + 1
        attributes = nameEnd..<close
    }

    /// The value of the attribute `wanted` (lowercase), its entities decoded; "" when it has none.
    func attribute(_ wanted: String, in bytes: [UInt8]) -> String? {
        var index = attributes.lowerBound
        let end = attributes.upperBound
        func isSpace(_ byte: UInt8) -> Bool { byte <= 0x20 || byte == B.ascii("/") }
        while index < end {
            let start = index
            while index < end, isSpace(bytes[index]) { index += 1 }
            let nameStart = index
            while index < end, !isSpace(bytes[index]), bytes[index] != B.ascii("=") { index += 1 }
            let name = B.string(bytes[nameStart..<index]).lowercased()
            while index < end, bytes[index] <= 0x20 { index += 1 }
            var value: String?
            if index < end, bytes[index] == B.ascii("=") {
                index += 1
                while index < end, bytes[index] <= 0x20 { index += 1 }
                var valueStart = index
                if index < end, bytes[index] == B.ascii("\"") || bytes[index] == B.ascii("'") {
                    let quote = bytes[index]
                    valueStart += 1
                    index += 1
                    while index < end, bytes[index] != quote { index += 1 }
                    value = B.decodingEntities(bytes[valueStart..<index], html: true)
                    if index < end { index += 1 }
                } else {
                    while index < end, bytes[index] > 0x20 { index += 1 }
                    value = B.decodingEntities(bytes[valueStart..<index], html: true)
                }
            }
            if name == wanted, !name.isEmpty { return value ?? "" }
            if index == start { index += 1 }
        }
        return nil
    }
}
