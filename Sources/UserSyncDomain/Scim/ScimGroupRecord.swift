import Foundation

/// A SCIM Group as `directory_groups` keeps it (`source = 'scim'`). Members are read apart
/// (``ScimGroupRepository/members(_:of:on:logger:)``) and only when the response shows them:
/// Entra looks groups up with `excludedAttributes=members`, and a group may have thousands.
public struct ScimGroupRecord: Sendable, Equatable {
    /// The SCIM `id` (`directory_groups.group_id`), a UUID UserSync assigned; what an Auto Sync
    /// policy names as `group.id`.
    public let id: String
    public var displayName: String
    public var externalId: String?
    public let version: Int64
    public let createdAt: Date
    public let updatedAt: Date

    public init(id: String, displayName: String, externalId: String?, version: Int64, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.displayName = displayName
        self.externalId = externalId
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A member as a Group shows it: the user's id and a name to display.
    public struct Member: Sendable, Equatable {
        public let id: String
        /// The user's `displayName`, else its `userName`.
        public let display: String?

        public init(id: String, display: String?) {
            self.id = id
            self.display = display
        }
    }
}
