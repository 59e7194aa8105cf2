import Foundation
import UserSyncDomain

/// A bearer secret that names its organization: `<prefix>_<org id, 32 hex>_<43 base64url chars>`.
///
/// Carrying the organization lets the service scope the lookup to that one organization before it
/// reads anything, so a key is checked without ever reading across tenants. Only the SHA-256 of
/// the whole token is stored; 256 random bits need no slow hash.
public struct ScopedToken: Sendable {
    public let organizationID: OrganizationID
    public let value: String

    /// Creates a new random token.
    public init(prefix: String, organizationID: OrganizationID) {
        self.organizationID = organizationID
        self.value = "\(prefix)_\(Self.compactHex(organizationID))_\(randomSecret())"
    }

    /// Parses a presented token; nil when it does not have the shape of one. Byte by byte: every
    /// API request presents one, and Character-wise checks cost more than the key's lookup.
    public init?(parsing value: String, prefix: String) {
        // The secret's alphabet includes '_', so the parts are found by position, not by splitting.
        let head = prefix.utf8.count + 1
        let bytes = value.utf8
        guard bytes.count == head + 32 + 1 + Self.secretLength, bytes.starts(with: prefix.utf8) else { return nil }
        let parts = Array(bytes)
        guard parts[head - 1] == UInt8(ascii: "_"), parts[head + 32] == UInt8(ascii: "_"),
            parts[(head + 33)...].allSatisfy(Self.isBase64URL),
            let org = Self.organization(fromHex: parts[head..<(head + 32)])
        else { return nil }
        self.organizationID = org
        self.value = value
    }

    /// base64url of 32 bytes, unpadded.
    static let secretLength = 43

    public var hash: Data { sha256(value) }

    /// The first characters of the secret part, safe to show.
    public var hint: String {
        String(value.suffix(Self.secretLength).prefix(6))
    }

    private static func compactHex(_ id: OrganizationID) -> String {
        String(decoding: id.description.utf8.filter { $0 != UInt8(ascii: "-") }, as: UTF8.self)
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The 16 bytes of an id from 32 hex digits.
    private static func organization(fromHex hex: ArraySlice<UInt8>) -> OrganizationID? {
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &uuid) { raw in
            for index in 0..<16 {
                guard let high = nibble(hex[hex.startIndex + 2 * index]), let low = nibble(hex[hex.startIndex + 2 * index + 1]) else { return false }
                raw[index] = high << 4 | low
            }
            return true
        }
        return parsed ? OrganizationID(UUID(uuid: uuid)) : nil
    }
}

extension ScopedToken {
    /// Organization API keys.
    public static let apiKeyPrefix = "usk"
    /// One-time console invitation links.
    public static let invitationPrefix = "usi"
    /// SCIM tokens an identity provider presents.
    public static let scimTokenPrefix = "uss"
}
