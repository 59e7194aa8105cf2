import Foundation
import UserSyncDomain
import UserSyncSecrets

/// What a signed-in browser's session holds (stored as JSON under the hash of its cookie).
public struct ConsoleSession: Codable, Sendable, Equatable {
    public var organizationID: OrganizationID
    /// Exactly one of the member or the API key the session was opened with.
    public var memberID: ConsoleMemberID?
    public var apiKeyID: APIKeyID?
    /// Every state-changing form carries it; the server compares it in constant time.
    public var csrfToken: String
    public var signedInAt: Date

    public init(organizationID: OrganizationID, memberID: ConsoleMemberID?, apiKeyID: APIKeyID?, signedInAt: Date) {
        self.organizationID = organizationID
        self.memberID = memberID
        self.apiKeyID = apiKeyID
        self.csrfToken = Self.randomToken()
        self.signedInAt = signedInAt
    }

    public static func randomToken() -> String { randomSecret() }
}

/// Who a live session is, as the console's pages need it.
public struct ConsoleIdentity: Sendable {
    public var organization: Organization
    public var role: APIKeyRole
    public var actor: AuditActor
    /// The member's name and address, or the API key's name.
    public var name: String
    public var csrfToken: String
    public var memberID: ConsoleMemberID?

    public var canWrite: Bool { role.canWrite }
}
