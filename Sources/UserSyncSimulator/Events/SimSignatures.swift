import Crypto
import Foundation
import UserSyncDomain

/// The signatures the platforms put on the events they send (docs/relay.md "Public URLs to
/// register").
enum SimSignatures {
    /// Slack's `X-Slack-Signature` and Zoom's `x-zm-signature`: `v0=` and the hex HMAC-SHA256 of
    /// `v0:{timestamp}:{raw body}` keyed with the signing secret (Zoom: the secret token).
    static func v0(secret: String, timestamp: String, body: Data) -> String {
        "v0=" + hmacSHA256(secret: secret, Data("v0:\(timestamp):".utf8) + body)
    }

    static func hmacSHA256(secret: String, _ message: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))).lowercaseHex
    }

    /// Webex's `X-Spark-Signature`: the hex HMAC-SHA1 of the raw body keyed with the webhook's secret.
    static func hmacSHA1(secret: String, _ message: Data) -> String {
        HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))).lowercaseHex
    }

    /// Seconds since 1970, as the Slack and Zoom timestamp headers carry them.
    static func timestamp(_ date: Date) -> String { String(Int(date.timeIntervalSince1970)) }

    /// The JSON bytes of a body: encoded once, so every attempt signs the same bytes.
    static func encode(_ body: [String: AnyCodable]) -> Data {
        (try? SimHTTP.encoder.encode(body)) ?? Data("{}".utf8)
    }
}
