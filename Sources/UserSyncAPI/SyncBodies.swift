import Foundation
import UserSyncDomain
import UserSyncUseCases

/// A people-list filter in a bulk request's body (the list's query parameters, as JSON).
struct PeopleFilterBody: Decodable, Sendable {
    static let fields: Set<String> = [
        "platform", "platforms", "primary_platform", "connection_id", "needs_primary_choice", "deactivated", "sync_status", "sync_platform", "q",
    ]
    let filter: PeopleQuery

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let unknown = c.allKeys.first(where: { !Self.fields.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [unknown], debugDescription: "unknown field"))
        }
        var filter = PeopleQuery()
        filter.platform = try c.decodeIfPresent(Platform.self, forKey: Key(stringValue: "platform"))
        filter.platforms = try c.decodeIfPresent([Platform].self, forKey: Key(stringValue: "platforms")) ?? []
        filter.primaryPlatform = try c.decodeIfPresent(Platform.self, forKey: Key(stringValue: "primary_platform"))
        filter.connectionID = try c.decodeIfPresent(ConnectionID.self, forKey: Key(stringValue: "connection_id"))
        filter.needsPrimaryChoice = try c.decodeIfPresent(Bool.self, forKey: Key(stringValue: "needs_primary_choice"))
        filter.deactivated = try c.decodeIfPresent(Bool.self, forKey: Key(stringValue: "deactivated"))
        filter.syncStatus = try c.decodeIfPresent(SyncStatus.self, forKey: Key(stringValue: "sync_status"))
        filter.syncPlatform = try c.decodeIfPresent(Platform.self, forKey: Key(stringValue: "sync_platform"))
        filter.search = try c.decodeIfPresent(String.self, forKey: Key(stringValue: "q"))
        self.filter = filter
    }
}

/// The people a bulk request is for: `person_ids`, or a `filter`; exactly one of them.
protocol BulkBody: RequestBody {
    var personIDs: [PersonID]? { get }
    var filter: PeopleFilterBody? { get }
}

extension BulkBody {
    func target() throws -> UserSync.Target {
        switch (personIDs, filter) {
        case (let ids?, nil):
            guard !ids.isEmpty, ids.count <= 100_000 else {
                throw DomainError.invalid("person_ids", "invalid_value", "'person_ids' must list 1 to 100,000 people.")
            }
            return .people(ids)
        case (nil, let filter?): return .filter(filter.filter)
        default:
            throw DomainError.invalid("person_ids", "required", "Send either 'person_ids' or 'filter' (and not both).")
        }
    }
}

/// The platform (or connection) a primary choice names: exactly one of them.
protocol PrimaryTargetBody {
    var connectionID: ConnectionID? { get }
    var platform: Platform? { get }
}

extension PrimaryTargetBody {
    func requireOne() throws {
        guard (connectionID == nil) != (platform == nil) else {
            throw DomainError.invalid("platform", "required", "Send either 'platform' or 'connection_id' (and not both).")
        }
    }
}
