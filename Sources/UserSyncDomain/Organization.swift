import Foundation

/// A tenant. Everything else belongs to exactly one organization.
public struct Organization: Sendable, Equatable {
    public let id: OrganizationID
    public var slug: Slug
    public var name: String
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: OrganizationID, slug: Slug, name: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Names are what admins see: 1–200 characters after trimming, no control characters.
    /// Characters are counted as PostgreSQL's `length()` counts them (Unicode scalars), so a
    /// name of 30 family emoji is 210 characters, not 30.
    public static func validateName(_ raw: String, field: String = "name") throws(DomainError) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw .invalid(field, "required", "\(field) must not be empty.") }
        guard name.unicodeScalars.count <= 200 else { throw .invalid(field, "too_long", "\(field) must be at most 200 characters.") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field, "invalid_format", "\(field) must not contain control characters.")
        }
        return name
    }
}
