import Crypto
import Foundation

/// Compares two secrets in time that does not depend on where they differ, nor on their lengths
/// (both are hashed to 32 bytes first).
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = SHA256.hash(data: Data(a.utf8))
    let y = SHA256.hash(data: Data(b.utf8))
    var difference: UInt8 = 0
    for (p, q) in zip(x, y) { difference |= p ^ q }
    return difference == 0
}
