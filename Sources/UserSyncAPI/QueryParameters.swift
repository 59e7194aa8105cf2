import Foundation
import Hummingbird
import UserSyncDomain

/// Typed access to query and path parameters; a bad value is a 400 that names the parameter.
/// An empty value (`cursor=`) is refused, for every parameter of every route: a client leaves a
/// parameter out instead. (An empty value would otherwise be a different filter on one route and
/// no filter on the next; refused, it matches the OpenAPI document, where every string parameter
/// has `minLength: 1`.)
extension Request {
    /// A query parameter's value; nil when it is absent, a 400 when it is empty.
    func query(_ name: String) throws -> String? {
        guard let raw = uri.queryParameters.get(name) else { return nil }
        guard !raw.isEmpty else {
            throw APIError.badRequest("invalid_query_parameter", "'\(name)' is empty; leave it out instead.")
        }
        guard !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badRequest("invalid_query_parameter", "'\(name)' must not contain control characters.")
        }
        return String(raw)
    }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = try query(name) else { return value }
        guard let number = Int(raw), range.contains(number) else {
            throw APIError.badRequest(
                "invalid_query_parameter", "'\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }

    func boolean(_ name: String, default value: Bool) throws -> Bool {
        guard let raw = try query(name) else { return value }
        switch raw.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("invalid_query_parameter", "'\(name)' must be true or false.")
        }
    }

    /// An enum-valued parameter; a value outside `T`'s cases is a 400 that lists them.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let raw = try query(name) else { return nil }
        guard let value = T(rawValue: String(raw)) else {
            throw APIError.badRequest(
                "invalid_query_parameter", "'\(name)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    /// A timestamp parameter (ISO 8601).
    func date(_ name: String) throws -> Date? {
        guard let raw = try query(name) else { return nil }
        guard let date = Self.internetDate(raw) else {
            throw APIError.badRequest("invalid_query_parameter", "'\(name)' must be an ISO 8601 time such as 2026-11-25T12:00:00Z.")
        }
        return date
    }

    /// An RFC 3339 date-time (the OpenAPI document's `date-time`): `T` and `Z` in either case,
    /// fractional seconds or none, `Z` or an offset.
    static func internetDate(_ text: String) -> Date? {
        let text = text.uppercased()
        let whole = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        return whole.date(from: text) ?? fractional.date(from: text)
    }

    /// Cursors are opaque to clients: base64url of the last item's sort key.
    /// Refuses query parameters the route does not take: a misspelled filter must not quietly
    /// widen a list (or the bulk action it previews).
    func allowQueryParameters(_ names: Set<String>) throws {
        let unknown = Set(uri.queryParameters.map { String($0.key) }).subtracting(names)
        guard unknown.isEmpty else {
            let takes = names.isEmpty ? "none" : names.sorted().joined(separator: ", ")
            throw APIError.badRequest(
                "unknown_query_parameter",
                "Unknown query parameter \(unknown.sorted().map { "'\($0)'" }.joined(separator: ", ")); this route takes: \(takes).")
        }
    }

    func cursor() throws -> String? {
        guard let raw = try query("cursor") else { return nil }
        guard let data = Data(base64URL: raw), let value = String(data: data, encoding: .utf8),
            !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.")
        }
        return value
    }
}

extension Parameters {
    /// A path parameter that must be a UUID.
    func identifier<Entity>(_ name: String, as type: Identifier<Entity>.Type) throws -> Identifier<Entity> {
        guard let raw = get(name), let id = Identifier<Entity>(raw) else {
            throw APIError.badRequest("invalid_path_parameter", "'\(name)' must be a UUID.")
        }
        return id
    }
}
