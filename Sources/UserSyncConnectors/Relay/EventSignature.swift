import Crypto
import Foundation
import UserSyncDomain

/// The signature checks the receivers share. Every comparison is swift-crypto's
/// `isValidAuthenticationCode`, which takes the same time however many bytes match.
enum EventSignature {
    /// Slack's and Zoom's scheme: `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`),
    /// with the timestamp within `window` of `now`. A bad signature is reported before a stale
    /// one, so `stale` counts only real replays of signed requests.
    static func verifyV0(
        _ request: InboundRequest, secret: String, signatureHeader: String, timestampHeader: String, now: Date, window: TimeInterval
    ) throws(EventRefusal) {
        guard let signature = request.header(signatureHeader), let timestamp = request.header(timestampHeader) else {
            throw EventRefusal(.unsigned, "the request carries no \(signatureHeader) or \(timestampHeader)")
        }
        let message = Array("v0:\(timestamp):".utf8) + request.body
        guard signature.hasPrefix("v0="), isValid(SHA256.self, hex: signature.dropFirst(3), of: message, secret: secret) else {
            throw EventRefusal(.forgedSignature, "\(signatureHeader) does not match the body")
        }
        guard let sent = date(timestamp), abs(now.timeIntervalSince(sent)) <= window else {
            throw EventRefusal(.stale, "\(timestampHeader) is outside the \(Int(window)) s replay window")
        }
    }

    /// Whether `hex` spells HMAC-`H`(`secret`, `message`).
    static func isValid<H: HashFunction>(_ hash: H.Type, hex: some StringProtocol, of message: [UInt8], secret: String) -> Bool {
        guard let code = bytes(hex: hex) else { return false }
        return HMAC<H>.isValidAuthenticationCode(code, authenticating: message, using: SymmetricKey(data: Array(secret.utf8)))
    }

    /// Lower-case hex of HMAC-`H`(`secret`, `message`).
    static func hexMAC<H: HashFunction>(_ hash: H.Type, of message: some DataProtocol, secret: String) -> String {
        HMAC<H>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))).lowercaseHex
    }

    static func bytes(hex: some StringProtocol) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A Unix timestamp in seconds, or in milliseconds (a value too large to be seconds).
    static func date(_ raw: String) -> Date? {
        guard let value = Int64(raw.trimmingCharacters(in: .whitespaces)), value > 0 else { return nil }
        return Date(timeIntervalSince1970: value > 100_000_000_000 ? Double(value) / 1000 : Double(value))
    }

    /// A handshake token echoed back to the platform: printable ASCII only, of a sane length, so
    /// that nothing a request carries is reflected with control characters or markup.
    static func isEchoable(_ token: String?) -> Bool {
        guard let token, (1...512).contains(token.utf8.count) else { return false }
        return token.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }
}

/// Decodes a verified body, or refuses it as malformed.
func decodeEvent<T: Decodable>(_ type: T.Type, _ body: [UInt8], platform: String) throws(EventRefusal) -> T {
    do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
        throw EventRefusal(.malformed, "the body is not a \(platform) event")
    }
}

/// A platform's date in ISO 8601, with or without a fraction of a second (cut to milliseconds:
/// Microsoft writes seven digits).
func parseEventDate(_ text: String?) -> Date? {
    guard let text else { return nil }
    return TeamsConnector.parseGraphDate(text)
}
