import Foundation
import UserSyncDomain

/// What the API shows of an organization.
public struct OrganizationRepresentation: Encodable, Sendable {
    let id: OrganizationID
    let slug: String
    let name: String
    let createdAt: Date
    let updatedAt: Date

    public init(_ organization: Organization) {
        self.id = organization.id
        self.slug = organization.slug.rawValue
        self.name = organization.name
        self.createdAt = organization.createdAt
        self.updatedAt = organization.updatedAt
    }
}

/// What the API shows of a key: never its secret, except `secret` once, at creation.
public struct APIKeyRepresentation: Encodable, Sendable {
    let id: APIKeyID
    let name: String
    let role: APIKeyRole
    let hint: String
    let createdBy: String
    let createdAt: Date
    let lastUsedAt: Date?
    let revokedAt: Date?
    let secret: String?

    public init(_ key: APIKey, secret: String? = nil) {
        self.id = key.id
        self.name = key.name
        self.role = key.role
        self.hint = key.hint
        self.createdBy = key.createdBy
        self.createdAt = key.createdAt
        self.lastUsedAt = key.lastUsedAt
        self.revokedAt = key.revokedAt
        self.secret = secret
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(hint, forKey: .hint)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        // Absent values are explicit nulls, so clients see the whole shape.
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(secret, forKey: .secret)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role, hint, createdBy, createdAt, lastUsedAt, revokedAt, secret
    }
}

/// The API's JSON: snake_case keys, ISO 8601 dates, sorted keys. The CLI's `--json` uses it too,
/// so both show the same shapes.
public enum APIJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// A page of a cursor-paginated list. `next_cursor` is null on the last page.
struct Page<Item: Encodable>: Encodable {
    let items: [Item]
    let nextCursor: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
}
