import Foundation

/// Binds one directory group to a primary connection and the secondary connections its members
/// are synced onto (DESIGN.md §1, "Auto Sync"): members who join are synced, members who leave
/// (or are disabled in the directory) are unsynced.
public struct AutoSyncPolicy: Sendable, Equatable {
    public let id: AutoSyncPolicyID
    public var settings: Settings
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: AutoSyncPolicyID, settings: Settings, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What an admin sets.
    public struct Settings: Sendable, Equatable {
        public var name: String
        public var group: DirectoryGroup
        public var primaryConnectionID: ConnectionID
        public var secondaryConnectionIDs: [ConnectionID]
        public var enabled: Bool
        /// For a person in the groups of several policies, the policy with the lowest number
        /// chooses the primary (ties: the older policy); see ``AutoSyncPlanner``.
        public var priority: Int
        /// Whether leaving the group (or being disabled in the directory) removes the syncs this
        /// policy made.
        public var removesOnLeave: Bool
        /// Whether the policy's primary replaces one an admin chose by hand.
        public var overridesAdminPrimary: Bool
        public var removalHold: RemovalHold

        public init(
            name: String, group: DirectoryGroup, primaryConnectionID: ConnectionID, secondaryConnectionIDs: [ConnectionID],
            enabled: Bool = true, priority: Int = Self.defaultPriority, removesOnLeave: Bool = true, overridesAdminPrimary: Bool = false,
            removalHold: RemovalHold = .default
        ) {
            self.name = name
            self.group = group
            self.primaryConnectionID = primaryConnectionID
            self.secondaryConnectionIDs = secondaryConnectionIDs
            self.enabled = enabled
            self.priority = priority
            self.removesOnLeave = removesOnLeave
            self.overridesAdminPrimary = overridesAdminPrimary
            self.removalHold = removalHold
        }

        public static let defaultPriority = 100
        public static let priorities = 1...1_000

        /// Every problem with these settings against the organization's connections, field by
        /// field; empty when they can be stored.
        public func problems(connections: [PlatformConnection]) -> [FieldError] {
            var problems: [FieldError] = []
            let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty {
                problems.append(.init(field: "name", code: "required", message: "name must not be empty."))
            } else if name.count > 200 || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(
                    .init(field: "name", code: "invalid_format", message: "name must be at most 200 characters, without control characters."))
            }
            problems += group.problems(connections: connections)
            let byID = Dictionary(connections.map { ($0.id, $0) }) { first, _ in first }
            /// A connection the policy may name: one of the organization's, not disconnected.
            func unusable(_ id: ConnectionID, field: String) -> FieldError? {
                guard let connection = byID[id] else {
                    return .init(field: field, code: "unknown_connection", message: "No connection of this organization has that id.")
                }
                return connection.isDisconnected
                    ? .init(
                        field: field, code: "connection_disconnected",
                        message: "\(connection.displayName) is disconnected: reconnect it or name another.")
                    : nil
            }
            if let problem = unusable(primaryConnectionID, field: "primary_connection_id") { problems.append(problem) }
            if secondaryConnectionIDs.isEmpty {
                problems.append(
                    .init(field: "secondary_connection_ids", code: "required", message: "Name at least one connection to sync members onto."))
            }
            for (index, id) in secondaryConnectionIDs.enumerated() {
                let field = "secondary_connection_ids[\(index)]"
                if let problem = unusable(id, field: field) {
                    problems.append(problem)
                } else if id == primaryConnectionID {
                    problems.append(
                        .init(field: field, code: "secondary_is_primary", message: "The primary connection cannot also be a secondary one."))
                } else if secondaryConnectionIDs[..<index].contains(id) {
                    problems.append(.init(field: field, code: "duplicate", message: "Each secondary connection is named once."))
                }
            }
            if !Self.priorities.contains(priority) {
                problems.append(
                    .init(
                        field: "priority", code: "out_of_range",
                        message: "priority must be between \(Self.priorities.lowerBound) and \(Self.priorities.upperBound) (lower wins)."))
            }
            problems += removalHold.problems()
            return problems
        }

        /// These settings with the name trimmed, or the problems as one validation error.
        public func validated(connections: [PlatformConnection]) throws(DomainError) -> Settings {
            let problems = problems(connections: connections)
            guard problems.isEmpty else { throw .validation(problems) }
            var settings = self
            settings.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
            return settings
        }
    }
}

public typealias AutoSyncPolicyID = Identifier<AutoSyncPolicy>

/// A group in the organization's directory, and where its membership comes from.
public struct DirectoryGroup: Sendable, Equatable, Hashable {
    public enum Source: String, Sendable, CaseIterable {
        /// A Microsoft Entra group, read through Microsoft Graph on a Teams connection.
        case entra
        /// A group the identity provider pushes over SCIM 2.0.
        case scim
    }

    public var source: Source
    /// For `entra`: the Teams connection Graph is read through. Nil for `scim`.
    public var connectionID: ConnectionID?
    /// The directory's own id of the group (an Entra object id; a SCIM group's id).
    public var id: String
    /// The group's name when it was chosen, for display.
    public var displayName: String?

    public init(source: Source, connectionID: ConnectionID?, id: String, displayName: String?) {
        self.source = source
        self.connectionID = connectionID
        self.id = id
        self.displayName = displayName
    }

    func problems(connections: [PlatformConnection]) -> [FieldError] {
        var problems: [FieldError] = []
        if id.isEmpty || id.count > 256 || id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append(
                .init(field: "group.id", code: "invalid_format", message: "group.id must be 1 to 256 characters, without control characters."))
        }
        switch (source, connectionID) {
        case (.entra, nil):
            problems.append(
                .init(field: "group.connection_id", code: "required", message: "An Entra group is read through a Teams connection: name it."))
        case (.entra, let id?):
            guard let connection = connections.first(where: { $0.id == id }) else {
                problems.append(
                    .init(field: "group.connection_id", code: "unknown_connection", message: "No connection of this organization has that id."))
                break
            }
            if connection.platform != .teams {
                problems.append(
                    .init(
                        field: "group.connection_id", code: "not_a_teams_connection",
                        message:
                            "Entra groups are read through Microsoft Graph: name a Microsoft Teams connection, not \(connection.platform.displayName)."
                    ))
            }
        case (.scim, _?):
            problems.append(
                .init(
                    field: "group.connection_id", code: "not_allowed",
                    message: "A SCIM group is pushed by the identity provider: it has no connection."))
        case (.scim, nil):
            break
        }
        return problems
    }
}

/// When a run's removals wait for an admin's approval instead of being applied: when they are
/// more than `overCount` people, or more than `overPercent` of the people the policy syncs. Nil
/// leaves that bound out; with both nil, removals are never held.
public struct RemovalHold: Sendable, Equatable {
    public var overCount: Int?
    public var overPercent: Int?

    public init(overCount: Int?, overPercent: Int?) {
        self.overCount = overCount
        self.overPercent = overPercent
    }

    /// At most 25 people and at most 10% of the policy's people are removed without approval.
    public static let `default` = RemovalHold(overCount: 25, overPercent: 10)

    /// Why removing `removing` of the `of` people a policy syncs waits for approval; nil when it
    /// does not.
    public func reason(removing: Int, of synced: Int) -> String? {
        guard removing > 0 else { return nil }
        if let overCount, removing > overCount {
            return "The run would unsync \(removing) people, more than the policy's limit of \(overCount) without approval."
        }
        if let overPercent, removing * 100 > overPercent * max(synced, removing) {
            let share = removing * 100 / max(synced, removing)
            return
                "The run would unsync \(removing) of the \(max(synced, removing)) people the policy syncs (\(share)%), more than its limit of \(overPercent)% without approval."
        }
        return nil
    }

    func problems() -> [FieldError] {
        var problems: [FieldError] = []
        if let overCount, overCount < 0 {
            problems.append(.init(field: "removal_hold.over_count", code: "out_of_range", message: "removal_hold.over_count must be 0 or more."))
        }
        if let overPercent, !(0...100).contains(overPercent) {
            problems.append(
                .init(field: "removal_hold.over_percent", code: "out_of_range", message: "removal_hold.over_percent must be between 0 and 100."))
        }
        return problems
    }
}
