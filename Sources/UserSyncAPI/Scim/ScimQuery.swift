import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// The query parameters of a SCIM GET (RFC 7644 §3.4.2): `filter`, `startIndex`, `count`,
/// `attributes`, `excludedAttributes`. Others (`sortBy`, which ServiceProviderConfig says is not
/// supported) are ignored.
///
/// Values are read as a form would send them (`+` is a space), since Java clients such as Okta's
/// encode `userName eq "…"` that way; a `+` inside a value arrives as `%2B`.
struct ScimQuery {
    private var values: [String: String] = [:]

    init(_ request: Request) {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0]).lowercased()
            // The first occurrence wins, as Hummingbird's own parameters do.
            if values[key] == nil { values[key] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    subscript(name: String) -> String? { values[name.lowercased()] }

    var filter: String? { self["filter"] }

    /// The page asked for; a `startIndex` or `count` that is not an integer is a 400.
    func paging() throws(ScimError) -> ScimPaging {
        ScimPaging.requested(startIndex: try integer("startIndex"), count: try integer("count"))
    }

    private func integer(_ name: String) throws(ScimError) -> Int? {
        guard let raw = self[name] else { return nil }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidValue("\(name) must be an integer, got \"\(raw.prefix(40))\".")
        }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
