import Foundation

/// A typed UUID, so an organization id can never be passed where an API key id is expected.
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID

    public init(_ rawValue: UUID) { self.rawValue = rawValue }

    /// Parses the canonical textual form; nil for anything else.
    public init?(_ text: String) {
        guard let uuid = UUID(text: text) else { return nil }
        self.rawValue = uuid
    }

    public static func random() -> Self { Self(UUID()) }

    public var description: String { rawValue.lowercasedText }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public typealias OrganizationID = Identifier<Organization>
public typealias APIKeyID = Identifier<APIKey>
