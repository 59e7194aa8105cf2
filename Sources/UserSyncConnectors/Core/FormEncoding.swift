import Foundation
import UserSyncDomain

enum FormEncoding {
    /// `application/x-www-form-urlencoded`, also used for query strings.
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Every UTF-8 byte outside RFC 3986's unreserved characters as `%XX` (upper-case hex), byte
    /// by byte: through Foundation's `addingPercentEncoding`, forms took 3.9 % of the worker's
    /// samples in a bulk sync, every Slack call being a form.
    static func escape(_ value: String) -> String {
        let digits = hexDigits
        var escaped: [UInt8] = []
        escaped.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                escaped.append(byte)
            default:
                escaped.append(contentsOf: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `base` with `fields` as its query string.
    static func url(_ base: String, _ fields: [(String, String)]) -> String {
        fields.isEmpty ? base : "\(base)?\(encode(fields))"
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}

extension PlatformEndpoints {
    /// Whether a next link a platform returned points at this platform, so our token is only
    /// ever sent where it belongs.
    func isOwn(_ link: String) -> Bool {
        guard let target = URLComponents(string: link), let own = URLComponents(string: api) else { return false }
        return target.scheme == own.scheme && target.host == own.host && target.port == own.port
    }

    func requireOwn(_ link: String, platform: Platform, endpoint: String) throws(PlatformFailure) {
        guard isOwn(link) else {
            throw PlatformFailure(
                .malformedResponse, platform: platform, message: "\(endpoint) returned a next link to another host")
        }
    }
}

enum LinkHeader {
    /// The `rel="next"` target of an RFC 8288 `Link` header, if any.
    static func next(_ values: [String]) -> String? {
        for value in values {
            for link in value.split(separator: ",") {
                let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                let isNext = parts.dropFirst().contains { param in
                    let normalized = param.replacingOccurrences(of: " ", with: "").lowercased()
                    return normalized == "rel=\"next\"" || normalized == "rel=next"
                }
                if isNext { return String(target.dropFirst().dropLast()) }
            }
        }
        return nil
    }
}
