/// An organization's URL name: 3–63 characters of `a-z`, `0-9` and `-`, starting and ending with
/// a letter or digit, and never shaped like a UUID (so `/v1/orgs/{org}` is unambiguous).
public struct Slug: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(validating raw: String, field: String = "slug") throws(DomainError) {
        let allowed = raw.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        guard (3...63).contains(raw.utf8.count), allowed, raw.first != "-", raw.last != "-" else {
            throw .invalid(
                field, "invalid_format",
                "\(field) must be 3–63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit."
            )
        }
        guard OrganizationID(raw) == nil else {
            throw .invalid(field, "invalid_format", "\(field) must not be a UUID.")
        }
        self.rawValue = raw
    }

    public var description: String { rawValue }
}
