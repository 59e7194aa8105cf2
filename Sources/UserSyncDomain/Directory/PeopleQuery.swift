import Foundation

/// Which people a list, a bulk action or a count covers, in what order, from where: what the
/// people directory is asked, by the API, the console and the use cases alike.
public struct PeopleQuery: Sendable {
    public enum SortField: String, Sendable, CaseIterable {
        case name, email
    }

    /// The last row of a page: the sort key and the id that breaks ties. Keyset pagination never
    /// skips or repeats a person when others are added or removed between pages.
    public struct Position: Sendable, Equatable, Codable {
        public var key: String
        public var id: UUID

        public init(key: String, id: UUID) {
            self.key = key
            self.id = id
        }
    }

    /// Only these people (bulk actions by id).
    public var ids: [PersonID]?
    /// Has an account on this platform.
    public var platform: Platform?
    /// Has an active account on every one of these platforms.
    public var platforms: [Platform] = []
    /// Lives on this platform.
    public var primaryPlatform: Platform?
    public var connectionID: ConnectionID?
    public var needsPrimaryChoice: Bool?
    public var deactivated: Bool?
    public var syncStatus: SyncStatus?
    /// Narrows `syncStatus` to the syncs onto this platform: "not created on Teams" is
    /// everyone who does not live on Teams and has no sync there.
    public var syncPlatform: Platform?
    /// Matched, case-insensitively, against the person's and their accounts' addresses and names.
    public var search: String?
    public var sort: SortField = .name
    public var descending = false
    public var after: Position?
    public var limit = 50

    public init() {}
}
