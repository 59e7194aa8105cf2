import Crypto
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
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.organizationID = organizationID
        self.value = "\(prefix)_\(Self.compactHex(organizationID))_\(Data(bytes).base64URL)"
    }

    /// Parses a presented token; nil when it does not have the shape of one.
    public init?(parsing value: String, prefix: String) {
        // The secret's alphabet includes '_', so the parts are found by position, not by splitting.
        let head = prefix + "_"
        guard value.hasPrefix(head), value.count == head.count + 32 + 1 + Self.secretLength else { return nil }
        let hex = value.dropFirst(head.count).prefix(32)
        let rest = value.dropFirst(head.count + 32)
        guard rest.first == "_",
              rest.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              let org = Self.organization(fromHex: hex)
        else { return nil }
        self.organizationID = org
        self.value = value
    }

    /// base64url of 32 bytes, unpadded.
    static let secretLength = 43

    public var hash: Data { Data(SHA256.hash(data: Data(value.utf8))) }

    /// The first characters of the secret part, safe to show.
    public var hint: String {
        String(value.suffix(Self.secretLength).prefix(6))
    }

    private static func compactHex(_ id: OrganizationID) -> String {
        id.description.replacingOccurrences(of: "-", with: "")
    }

    private static func organization(fromHex hex: Substring) -> OrganizationID? {
        guard hex.allSatisfy(\.isHexDigit) else { return nil }
        let h = Array(hex.lowercased())
        let text = String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-"
            + String(h[16..<20]) + "-" + String(h[20..<32])
        return OrganizationID(text)
    }
}

extension ScopedToken {
    /// Organization API keys.
    public static let apiKeyPrefix = "usk"
    /// One-time console invitation links.
    public static let invitationPrefix = "usi"
}
