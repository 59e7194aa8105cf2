import Foundation

/// A SCIM User as `directory_users` keeps it (`source = 'scim'`): the attributes the endpoint
/// stores, the id UserSync gave it, and what `meta` reports.
public struct ScimUserRecord: Sendable, Equatable {
    /// The SCIM `id` (`directory_users.external_id`), a UUID UserSync assigned.
    public let id: String
    /// The attributes, `active` always set.
    public var attributes: ScimUserInput
    public var active: Bool { attributes.active ?? true }
    /// Raised by every write, for `meta.version`.
    public let version: Int64
    public let createdAt: Date
    public let updatedAt: Date

    public init(id: String, attributes: ScimUserInput, version: Int64, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.attributes = attributes
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
