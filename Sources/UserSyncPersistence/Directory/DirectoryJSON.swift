import Foundation
import UserSyncDomain

/// Reads the JSON columns of the `people_directory` view (sql/0015): one positional array per
/// account, sync or sync event, times as epoch seconds.
enum DirectoryJSON {
    static func accounts(_ json: String) throws -> [Person.Account] {
        try JSONDecoder().decode([AccountEntry].self, from: Data(json.utf8)).map(\.account)
    }

    /// The syncs of `json`, each with its events from `history` (events by sync id).
    static func syncs(_ json: String, history: String, organization: OrganizationID, person: PersonID) throws -> [Sync] {
        let decoder = JSONDecoder()
        decoder.userInfo[SyncEntry.owner] = SyncEntry.Owner(organization: organization, person: person)
        let syncs = try decoder.decode([SyncEntry].self, from: Data(json.utf8)).map(\.sync)
        var events: [UUID: [SyncEvent]] = [:]
        for (id, entries) in try decoder.decode([String: [EventEntry]].self, from: Data(history.utf8)) {
            if let id = UUID(uuidString: id) { events[id] = entries.map(\.event) }
        }
        return syncs.map { sync in
            var sync = sync
            sync.history = events[sync.id.rawValue] ?? []
            return sync
        }
    }

    private struct AccountEntry: Decodable {
        let account: Person.Account

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            account = Person.Account(
                id: AccountID(try c.decode(UUID.self)), connectionID: ConnectionID(try c.decode(UUID.self)),
                platform: Platform(rawValue: try c.decode(String.self)) ?? .slack, platformUserID: try c.decode(String.self),
                email: try c.decodeIfPresent(String.self), emails: try c.decode([String].self),
                displayName: try c.decodeIfPresent(String.self), realName: try c.decodeIfPresent(String.self),
                isGuest: try c.decode(Bool.self), isActive: try c.decode(Bool.self), deactivatedAt: try c.date(),
                deactivationReason: try c.decodeIfPresent(String.self).flatMap(Person.DeactivationReason.init(rawValue:)),
                firstSeenAt: try c.date() ?? .distantPast, changedAt: try c.date() ?? .distantPast)
        }
    }

    private struct SyncEntry: Decodable {
        /// Whose syncs these are: the caller knows, the arrays do not say.
        struct Owner {
            let organization: OrganizationID
            let person: PersonID
        }
        static let owner = CodingUserInfoKey(rawValue: "owner")!

        let sync: Sync

        init(from decoder: any Decoder) throws {
            guard let owner = decoder.userInfo[Self.owner] as? Owner else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no owner"))
            }
            var c = try decoder.unkeyedContainer()
            sync = Sync(
                id: SyncID(try c.decode(UUID.self)), organizationID: owner.organization, personID: owner.person,
                connectionID: ConnectionID(try c.decode(UUID.self)), platform: Platform(rawValue: try c.decode(String.self)) ?? .slack,
                mode: try c.decodeIfPresent(String.self).flatMap(SyncMode.init(rawValue:)),
                status: SyncStatus(rawValue: try c.decode(String.self)) ?? .failed, cause: try c.decodeIfPresent(String.self),
                message: try c.decodeIfPresent(String.self), nextRetryAt: try c.date(), fixAction: try c.decodeIfPresent(String.self),
                linkedAccountID: try c.decodeIfPresent(UUID.self).map(AccountID.init), virtualIdentity: try c.decodeIfPresent(String.self),
                virtualKind: try c.decodeIfPresent(String.self).flatMap(VirtualKind.init(rawValue:)), hasUserTokens: try c.decode(Bool.self),
                userTokenExpiresAt: try c.date(), createdBy: try c.decode(String.self), createdAt: try c.date() ?? .distantPast,
                updatedAt: try c.date() ?? .distantPast, history: [])
        }
    }

    private struct EventEntry: Decodable {
        let event: SyncEvent

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            event = SyncEvent(
                fromStatus: try c.decodeIfPresent(String.self).flatMap(SyncStatus.init(rawValue:)),
                toStatus: SyncStatus(rawValue: try c.decode(String.self)) ?? .failed, cause: try c.decodeIfPresent(String.self),
                message: try c.decode(String.self), actorKind: try c.decode(String.self), actorID: try c.decodeIfPresent(String.self),
                nextRetryAt: try c.date(), fixAction: try c.decodeIfPresent(String.self), createdAt: try c.date() ?? .distantPast)
        }
    }
}

private extension UnkeyedDecodingContainer {
    /// A time as epoch seconds (microseconds in the fraction), or nil.
    mutating func date() throws -> Date? {
        try decodeIfPresent(Double.self).map { Date(timeIntervalSince1970: $0) }
    }
}
