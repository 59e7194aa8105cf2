import Crypto
import Foundation

/// Opaque, expiring, tamper-proof cursors: the position is sealed with a per-process key, so a
/// cursor looks nothing like a page number and a forged or stale one is refused.
struct CursorCodec: Sendable {
    struct Position: Sendable, Equatable {
        var organization: String
        var listing: String
        var offset: Int
        var flag: Int = 0
    }

    private let key = SymmetricKey(size: .bits128)
    let lifetime: Double
    let clock: @Sendable () -> Date

    func encode(_ position: Position) -> String {
        let now = clock()
        let payload =
            "\(position.organization)\u{1F}\(position.listing)\u{1F}\(position.offset)\u{1F}\(position.flag)\u{1F}\(now.timeIntervalSince1970)"
        // Sealing a small payload with a valid key cannot fail.
        let sealed = try? AES.GCM.seal(Data(payload.utf8), using: key).combined
        return (sealed ?? Data()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    enum Failure: Error { case invalid, expired }

    func decode(_ cursor: String, organization: String, listing: String) throws(Failure) -> Position {
        let now = clock()
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key), let text = String(data: plain, encoding: .utf8)
        else { throw .invalid }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == organization, parts[1] == listing, let offset = Int(parts[2]),
            let flag = Int(parts[3]), let issued = Double(parts[4])
        else { throw .invalid }
        guard now.timeIntervalSince1970 - issued <= lifetime else { throw .expired }
        return Position(organization: organization, listing: listing, offset: offset, flag: flag)
    }
}
