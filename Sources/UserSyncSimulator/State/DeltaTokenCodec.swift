import Crypto
import Foundation

/// Seals Graph delta and skip tokens (JSON of ``GraphDeltaToken``) with a per-process key, as
/// ``CursorCodec`` seals cursors: opaque, base64url, and a forged one is refused.
struct DeltaTokenCodec: Sendable {
    private let key = SymmetricKey(size: .bits128)

    func encode(_ token: GraphDeltaToken) -> String {
        // Encoding this struct and sealing with a valid key cannot fail.
        let json = (try? JSONEncoder().encode(token)) ?? Data()
        return base64URL((try? AES.GCM.seal(json, using: key).combined) ?? Data())
    }

    /// The token, or nil when it was not sealed here.
    func decode(_ text: String) -> GraphDeltaToken? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let box = try? AES.GCM.SealedBox(combined: data),
            let json = try? AES.GCM.open(box, using: key)
        else { return nil }
        return try? JSONDecoder().decode(GraphDeltaToken.self, from: json)
    }
}
