import Foundation

extension UUID {
    /// Parses the hyphenated 36-character form in either case, byte by byte; nil for anything
    /// else. Foundation's `UUID(uuidString:)` costs several times as much, and a request parses
    /// a few ids and a people page's representations about a thousand.
    public init?(text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { output in
            text.utf8.withContiguousStorageIfAvailable { Self.parse($0, into: output) } ?? Self.parse(Array(text.utf8), into: output)
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    /// Lowercase and hyphenated, as the API writes ids; `uuidString` formats with `sprintf`
    /// and `lowercased()` copies it again.
    public var lowercasedText: String {
        String(unsafeUninitializedCapacity: 36) { output in
            var written = 0
            Self.write(self) { byte in
                output[written] = byte
                written += 1
            }
            return written
        }
    }

    /// Hands `emit` the 36 bytes of `lowercasedText`, one at a time (inlined into callers, so
    /// that a writer's `emit` is not a closure call per byte).
    @inlinable
    public static func write(_ uuid: UUID, _ emit: (UInt8) -> Void) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 { emit(UInt8(ascii: "-")) }
                let high = bytes[index] >> 4, low = bytes[index] & 0x0F
                emit(high < 10 ? UInt8(ascii: "0") + high : UInt8(ascii: "a") - 10 + high)
                emit(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") - 10 + low)
            }
        }
    }

    private static func parse(_ text: some Collection<UInt8>, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == 36 else { return false }
        var byte = 0, high: UInt8? = nil, position = 0
        for character in text {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == UInt8(ascii: "-") else { return false }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return false
            }
            if let first = high {
                output[byte] = first << 4 | nibble
                byte += 1
                high = nil
            } else {
                high = nibble
            }
        }
        return true
    }
}
