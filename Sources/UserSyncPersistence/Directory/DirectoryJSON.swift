import Foundation
import UserSyncDomain

/// Reads the JSON columns of the `people_directory` view (sql/0015, sql/0018): one positional
/// array per account, sync or sync event, times as epoch seconds. Parsed into a small tree and read
/// by position: Foundation's `JSONDecoder` (containers, coding paths, a decoder per value) was
/// a twelfth of `serve`'s time on a person's read.
enum DirectoryJSON {
    typealias Malformed = JSONValue.Malformed

    static func accounts(_ json: String) throws -> [Person.Account] {
        try Value.parse(json).elements().map { entry in
            var c = try Cursor(entry)
            return Person.Account(
                id: AccountID(try c.uuid()), connectionID: ConnectionID(try c.uuid()),
                platform: Platform(rawValue: try c.string()) ?? .slack, platformUserID: try c.string(),
                email: try c.optionalString(), emails: try c.strings(), displayName: try c.optionalString(),
                realName: try c.optionalString(), isGuest: try c.bool(), isActive: try c.bool(), deactivatedAt: try c.date(),
                deactivationReason: try c.optionalString().flatMap(Person.DeactivationReason.init(rawValue:)),
                firstSeenAt: try c.date() ?? .distantPast, changedAt: try c.date() ?? .distantPast)
        }
    }

    /// The syncs of `json`, each with its events from `history` (events by sync id).
    static func syncs(_ json: String, history: String, organization: OrganizationID, person: PersonID) throws -> [Sync] {
        var events: [UUID: [SyncEvent]] = [:]
        for (key, entries) in try Value.parse(history).members() {
            guard let id = UUID(text: key) else { throw Malformed(reason: "history key \(key) is not an id") }
            events[id] = try entries.elements().map { entry in
                var c = try Cursor(entry)
                return SyncEvent(
                    fromStatus: try c.optionalString().flatMap(SyncStatus.init(rawValue:)),
                    toStatus: SyncStatus(rawValue: try c.string()) ?? .failed, cause: try c.optionalString().flatMap(SyncCause.init(rawValue:)),
                    message: try c.string(), actorKind: try c.string(), actorID: try c.optionalString(),
                    nextRetryAt: try c.date(), fixAction: try c.optionalString(), createdAt: try c.date() ?? .distantPast)
            }
        }
        return try Value.parse(json).elements().map { entry in
            var c = try Cursor(entry)
            let id = try c.uuid()
            return Sync(
                id: SyncID(id), organizationID: organization, personID: person,
                connectionID: ConnectionID(try c.uuid()), platform: Platform(rawValue: try c.string()) ?? .slack,
                mode: try c.optionalString().flatMap(SyncMode.init(rawValue:)),
                status: SyncStatus(rawValue: try c.string()) ?? .failed, cause: try c.optionalString().flatMap(SyncCause.init(rawValue:)),
                message: try c.optionalString(), nextRetryAt: try c.date(), fixAction: try c.optionalString(),
                linkedAccountID: try c.optionalString().flatMap { UUID(text: $0) }.map(AccountID.init),
                virtualIdentity: try c.optionalString(), virtualKind: try c.optionalString().flatMap(VirtualKind.init(rawValue:)),
                hasUserTokens: try c.bool(), userTokenExpiresAt: try c.date(), createdBy: try c.string(),
                createdAt: try c.date() ?? .distantPast, updatedAt: try c.date() ?? .distantPast, history: events[id] ?? [])
        }
    }

    typealias Value = JSONValue

    /// Reads a positional array's elements in order.
    private struct Cursor {
        private let elements: [Value]
        private var next = 0

        init(_ value: Value) throws { elements = try value.elements() }

        private mutating func take() throws -> Value {
            guard next < elements.count else { throw Malformed(reason: "an entry has \(elements.count) fields, fewer than expected") }
            defer { next += 1 }
            return elements[next]
        }

        mutating func optionalString() throws -> String? {
            switch try take() {
            case .null: return nil
            case .string(let text): return text
            default: throw Malformed(reason: "field \(next) is not text")
            }
        }

        mutating func string() throws -> String {
            guard let text = try optionalString() else { throw Malformed(reason: "field \(next) is null") }
            return text
        }

        mutating func uuid() throws -> UUID {
            guard let id = UUID(text: try string()) else { throw Malformed(reason: "field \(next) is not an id") }
            return id
        }

        mutating func bool() throws -> Bool {
            guard case .bool(let value) = try take() else { throw Malformed(reason: "field \(next) is not a boolean") }
            return value
        }

        /// A time as epoch seconds (microseconds in the fraction), or nil.
        mutating func date() throws -> Date? {
            switch try take() {
            case .null: return nil
            case .number(let seconds): return Date(timeIntervalSince1970: seconds)
            default: throw Malformed(reason: "field \(next) is not a time")
            }
        }

        mutating func strings() throws -> [String] {
            try take().elements().map { element in
                guard case .string(let text) = element else { throw Malformed(reason: "field \(next) holds something else than text") }
                return text
            }
        }
    }
}
