import Foundation

/// An organization's API key, as stored: never the secret itself.
public struct APIKey: Sendable, Equatable {
    public let id: APIKeyID
    public let organizationID: OrganizationID
    public var name: String
    public var role: APIKeyRole
    /// The first characters of the secret, to tell keys apart in a list.
    public var hint: String
    public var createdBy: String
    public let createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: APIKeyID, organizationID: OrganizationID, name: String, role: APIKeyRole, hint: String,
        createdBy: String, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.role = role
        self.hint = hint
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// A key's last use is written at most this often, so reads do not become writes.
    public static let lastUseResolution: TimeInterval = 60

    /// Whether a use at `now` should be written down (the last one written is older than the resolution).
    public func lastUseIsStale(at now: Date) -> Bool {
        lastUsedAt.map { now.timeIntervalSince($0) >= Self.lastUseResolution } ?? true
    }
}

/// A role in an organization, of an API key or a console member.
public enum APIKeyRole: String, Sendable, Codable, CaseIterable {
    /// Reads and changes everything of its organization.
    case admin
    /// Reads everything of its organization except its keys; changes nothing.
    case viewer

    public var canWrite: Bool { self == .admin }
}
