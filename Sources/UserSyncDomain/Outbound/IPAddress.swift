import Foundation

/// An IPv4 or IPv6 address, as the bytes a resolver returns, and whether it lies inside a
/// network: the ranges a platform's public API never lives in, and through which a request
/// would reach the deployment's own network or a cloud's metadata service.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A textual address (`10.0.0.1`, `::1`, `[fe80::1]`); nil for anything else, host names included.
    public init?(_ text: String) {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// The range this address falls in when it is not a public unicast address, else nil.
    public var internalRange: InternalRange? {
        if bytes.count == 4 { return Self.v4Range(bytes) }
        // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::).
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Self.v4Range(Array(bytes[12...])) }
        if bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return Self.v4Range(Array(bytes[12...])) }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return Self.v4Range(Array(bytes[2..<6])) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return bytes[15] == 1 ? .loopback : .unspecified }
        if bytes[0] & 0xFE == 0xFC { return .privateNetwork }  // fc00::/7, unique local (fd00:ec2::254 is AWS metadata)
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if bytes[0] == 0xFF { return .multicast }
        return nil
    }

    /// Why an address is not a public unicast one.
    public enum InternalRange: String, Sendable {
        case loopback, privateNetwork = "private", linkLocal = "link_local", sharedAddressSpace = "shared_address_space"
        case unspecified, multicast, reserved
    }

    private static func v4Range(_ b: [UInt8]) -> InternalRange? {
        switch (b[0], b[1]) {
        case (0, _): .unspecified
        case (10, _), (172, 16...31), (192, 168): .privateNetwork
        case (100, 64...127): .sharedAddressSpace  // carrier-grade NAT; 100.100.100.200 is Alibaba's metadata
        case (127, _): .loopback
        case (169, 254): .linkLocal  // 169.254.169.254 is the metadata service of most clouds
        case (192, 0) where b[2] == 0, (198, 18...19): .reserved
        case (224...239, _): .multicast
        case (240...255, _): .reserved
        default: nil
        }
    }
}
