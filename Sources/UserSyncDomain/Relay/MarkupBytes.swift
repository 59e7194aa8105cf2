import Foundation

/// Byte-level helpers of the markup parsers and renderers. Every markup character is ASCII and no
/// byte of a multi-byte UTF-8 character is ASCII, so text is cut at ASCII bytes without being
/// decoded; a scalar is decoded only where a rule looks at a neighbouring character.
enum MarkupBytes {
    /// U+200B, the Slack renderer's escape of a literal marker (Slack has no other).
    static let zeroWidthSpace: [UInt8] = [0xE2, 0x80, 0x8B]

    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }

    /// The scalar starting at `index`; nil outside the bytes.
    static func scalar(at index: Int, in bytes: [UInt8]) -> Unicode.Scalar? {
        guard index >= 0, index < bytes.count else { return nil }
        if bytes[index] < 0x80 { return Unicode.Scalar(bytes[index]) }
        var iterator = bytes[index...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
        return nil
    }

    /// The scalar ending just before `index`; nil at the start.
    static func scalar(before index: Int, in bytes: [UInt8]) -> Unicode.Scalar? {
        guard index > 0, index <= bytes.count else { return nil }
        var start = index - 1
        while start > 0, index - start < 4, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return scalar(at: start, in: bytes)
    }

    /// Whitespace as the emphasis rules see it: the start and end of the text (nil) count.
    static func isSpace(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return true }
        if scalar.isASCII { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
        return scalar.properties.isWhitespace
    }

    /// A letter or a digit: `_` between two of them is part of a word (`snake_case`).
    static func isWord(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        if scalar.isASCII {
            let value = scalar.value
            return (48...57).contains(value) || (65...90).contains(value) || (97...122).contains(value)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    static func hasZeroWidthSpace(at index: Int, in bytes: [UInt8]) -> Bool {
        index >= 0 && index + 2 < bytes.count && bytes[index] == 0xE2 && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x8B
    }

    /// The text an entity at `index` (an `&`) stands for, and the index after its `;`; nil when
    /// it is not one. Slack writes only `&amp; &lt; &gt;`; HTML also has `&quot; &#39; &apos;
    /// &nbsp;` (read as a plain space: Teams writes it for spaces people typed) and numeric ones.
    static func entity(at index: Int, in bytes: [UInt8], html: Bool) -> (text: String, end: Int)? {
        var end = index + 1
        while end < bytes.count, end - index <= 10, bytes[end] != ascii(";") {
            let byte = bytes[end]
            guard isASCIIAlphanumeric(byte) || byte == ascii("#") else { return nil }
            end += 1
        }
        guard end < bytes.count, bytes[end] == ascii(";"), end > index + 1 else { return nil }
        let name = string(bytes[(index + 1)..<end])
        let text: String? =
            switch name {
            case "amp": "&"
            case "lt": "<"
            case "gt": ">"
            case _ where !html: nil
            case "quot": "\""
            case "apos": "'"
            case "nbsp": " "
            default: numericEntity(name)
            }
        return text.map { ($0, end + 1) }
    }

    private static func numericEntity(_ name: String) -> String? {
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let value: UInt32? =
            if digits.hasPrefix("x") || digits.hasPrefix("X") { UInt32(digits.dropFirst(), radix: 16) } else { UInt32(digits, radix: 10) }
        guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return String(Character(scalar))
    }

    /// `bytes` with their entities decoded.
    static func decodingEntities(_ bytes: ArraySlice<UInt8>, html: Bool) -> String {
        guard bytes.contains(ascii("&")) else { return string(bytes) }
        let all = Array(bytes)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(all.count)
        var index = 0
        while index < all.count {
            if all[index] == ascii("&"), let entity = entity(at: index, in: all, html: html) {
                decoded.append(contentsOf: entity.text.utf8)
                index = entity.end
            } else {
                decoded.append(all[index])
                index += 1
            }
        }
        return string(decoded)
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }

    /// Where a bare `http://` or `https://` URL starting at `index` ends: at whitespace or one of
    /// `< > " \ [ ] ``, less trailing punctuation (`.,:;!?'*_~`, and a `)` without its `(`),
    /// which ends the sentence rather than the URL. Nil when none starts there.
    static func bareURLEnd(at index: Int, in bytes: [UInt8]) -> Int? {
        let start: Int
        if hasPrefix("https://", at: index, in: bytes) {
            start = index + 8
        } else if hasPrefix("http://", at: index, in: bytes) {
            start = index + 7
        } else {
            return nil
        }
        var end = start
        var open = 0
        var close = 0
        while end < bytes.count {
            let byte = bytes[end]
            if byte < 0x80 {
                if isURLTerminator(byte) { break }
                if byte == ascii("(") { open += 1 }
                if byte == ascii(")") { close += 1 }
                end += 1
            } else {
                if isSpace(scalar(at: end, in: bytes)) { break }
                end += 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            }
        }
        while end > start {
            let last = bytes[end - 1]
            if isTrailingPunctuation(last) {
                end -= 1
            } else if last == ascii(")"), close > open {
                close -= 1
                end -= 1
            } else {
                break
            }
        }
        return end > start ? end : nil
    }

    static func isURLTerminator(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F, ascii("<"), ascii(">"), ascii("\""), ascii("\\"), ascii("["), ascii("]"), ascii("`"): true
        default: false
        }
    }

    private static func isTrailingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case ascii("."), ascii(","), ascii(":"), ascii(";"), ascii("!"), ascii("?"), ascii("'"), ascii("*"), ascii("_"), ascii("~"): true
        default: false
        }
    }

    /// The characters of Slack's styles and code.
    static func isSlackMarker(_ byte: UInt8) -> Bool {
        byte == ascii("*") || byte == ascii("_") || byte == ascii("~") || byte == ascii("`")
    }

    static func hasPrefix(_ prefix: String, at index: Int, in bytes: [UInt8]) -> Bool {
        let prefix = Array(prefix.utf8)
        guard index + prefix.count <= bytes.count else { return false }
        for offset in prefix.indices where lowercased(bytes[index + offset]) != prefix[offset] { return false }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (65...90).contains(byte) ? byte | 0x20 : byte
    }

    /// Links with another scheme are written as text: a message from another platform must not
    /// become a `javascript:` or `data:` link.
    static func isSafeLink(_ url: String) -> Bool {
        let scheme = url.prefix(8).lowercased()
        return ["http://", "https://", "mailto:", "tel:"].contains { scheme.hasPrefix($0) }
    }

    /// `scheme:` at the start of `bytes` (a letter, then letters, digits, `+ - .`).
    static func startsWithScheme(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, (65...90).contains(first) || (97...122).contains(first) else { return false }
        for byte in bytes.dropFirst() {
            if byte == ascii(":") { return true }
            guard isASCIIAlphanumeric(byte) || byte == ascii("+") || byte == ascii("-") || byte == ascii(".") else { return false }
        }
        return false
    }
}
