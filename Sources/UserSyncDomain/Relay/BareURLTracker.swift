import Foundation

/// Whether written markdown ends inside a bare URL, which would run on through a marker written
/// next. Each byte is looked at once however often it is asked, so that a message of many styles
/// stays linear.
struct BareURLTracker {
    private typealias B = MarkupBytes
    /// Where the bytes not looked at yet start.
    private var scanned = 0
    /// Whether a URL started after the last byte that ends one.
    private var inURL = false

    mutating func endsInBareURL(_ bytes: [UInt8], end: Int) -> Bool {
        if end < scanned { self = BareURLTracker() }
        while scanned < end {
            let byte = bytes[scanned]
            if B.isURLTerminator(byte) {
                inURL = false
            } else if !inURL, byte | 0x20 == B.ascii("h") {
                // A scheme not written out yet is no URL yet; look again once there is more.
                if end - scanned < 8 && Self.mayStartURL(bytes[scanned..<end]) { return false }
                inURL =
                    !B.isWord(B.scalar(before: scanned, in: bytes))
                    && (B.hasPrefix("http://", at: scanned, in: bytes) || B.hasPrefix("https://", at: scanned, in: bytes))
            }
            scanned += 1
        }
        return inURL
    }

    private static func mayStartURL(_ tail: ArraySlice<UInt8>) -> Bool {
        let lowercased = tail.map { (65...90).contains($0) ? $0 | 0x20 : $0 }
        return "https://".utf8.starts(with: lowercased) || "http://".utf8.starts(with: lowercased)
    }
}
