import Crypto
import Foundation
import UserSyncDomain

/// Compares two secrets in time that does not depend on where they differ, nor on their lengths
/// (both are hashed to 32 bytes first).
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    constantTimeEquals(sha256(a), sha256(b))
}

/// Compares two digests without stopping at the first difference; digests of different lengths
/// are unequal.
public func constantTimeEquals(_ x: Data, _ y: Data) -> Bool {
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for (p, q) in zip(x, y) { difference |= p ^ q }
    return difference == 0
}

/// The SHA-256 of a secret's UTF-8 bytes: what is stored of tokens, keys and session ids.
public func sha256(_ text: String) -> Data {
    Data(SHA256.hash(data: Data(text.utf8)))
}

/// 256 random bits as base64url without padding (43 characters), asked of the system's generator
/// eight bytes at a time (a byte at a time was 32 calls into the kernel: 3.5 % of the worker's
/// samples in a bulk sync, which makes a consent token per person).
public func randomSecret() -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes = Data(capacity: 32)
    for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
    return bytes.base64URL
}
