import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// SCIM Groups (RFC 7644 §3): the groups Auto Sync policies name with `group.source = "scim"`
/// and the group's `id`. Each request is one transaction in the caller's organization that
/// first checks its token (``Database/withScimCaller(_:now:logger:_:)``); a change to a group's
/// membership, or its deletion, asks for its policies' runs in that transaction.
/// Members must be SCIM users of the organization: a request naming another id changes nothing
/// (400 `invalidValue`).
///
/// Failures are ``ScimError``s, which the SCIM endpoint sends as they are.
public struct ScimGroups: Sendable {
    let database: Database
    let now: @Sendable () -> Date
    let newID: @Sendable () -> String
    let groups = ScimGroupRepository()

    public init(
        database: Database, now: @escaping @Sendable () -> Date = Date.init, newID: @escaping @Sendable () -> String = { UUID().lowercasedText }
    ) {
        self.database = database
        self.now = now
        self.newID = newID
    }

    /// A group as a response shows it; `members` is nil when the response leaves them out.
    public struct Resource: Sendable {
        public var group: ScimGroupRecord
        public var members: [ScimGroupRecord.Member]?
    }

    /// `POST /Groups`, with or without members (Entra adds them by PATCH afterwards, Okta's
    /// Group Push may send them at once).
    public func create(_ input: ScimGroupInput, caller: ScimCaller, logger: Logger) async throws -> Resource {
        let organization = caller.organizationID
        let input = try input.checkedForStorage()
        let id = newID()
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            let group = try await groups.insert(
                organization, id: id, displayName: input.displayName, externalId: input.externalId, on: db, logger: logger)
            guard !input.members.isEmpty else { return Resource(group: group, members: []) }
            let change = try await groups.addMembers(
                organization, group: id, users: input.members.map(\.value), requestingRunsOf: [], on: db, logger: logger)
            try Self.refuseUnknown(change)
            try await ScimMembershipEffects.groupsChanged([id], organization: organization, on: db, logger: logger)
            return Resource(group: group, members: try await groups.members(organization, of: [id], on: db, logger: logger)[id] ?? [])
        }
    }

    public func get(_ id: String, members includeMembers: Bool, caller: ScimCaller, logger: Logger) async throws -> Resource {
        let organization = caller.organizationID
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            guard let group = try await groups.get(organization, id: id, on: db, logger: logger) else { throw Self.notFound(id) }
            let members = includeMembers ? try await groups.members(organization, of: [id], on: db, logger: logger)[id] ?? [] : nil
            return Resource(group: group, members: members)
        }
    }

    /// `GET /Groups?filter=…`; the page's members are read in one statement, and not at all
    /// when the response leaves them out (Entra's `excludedAttributes=members`).
    public func list(
        filter: String?, paging: ScimPaging, members includeMembers: Bool, caller: ScimCaller, logger: Logger
    ) async throws -> ScimPage<Resource> {
        let organization = caller.organizationID
        let equalities = try filter.map { text throws(ScimError) in try ScimFilter.parse(text).equalities(on: ScimGroupFilterAttribute.self) } ?? []
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            let page = try await groups.list(organization, filter: equalities, paging: paging, on: db, logger: logger)
            let members = includeMembers ? try await groups.members(organization, of: page.items.map(\.id), on: db, logger: logger) : [:]
            return ScimPage(
                totalResults: page.totalResults,
                items: page.items.map { Resource(group: $0, members: includeMembers ? members[$0.id] ?? [] : nil) })
        }
    }

    /// `PUT /Groups/{id}`: the name, the external id and the whole membership as sent.
    public func replace(_ id: String, with input: ScimGroupInput, caller: ScimCaller, logger: Logger) async throws -> Resource {
        let organization = caller.organizationID
        let input = try input.checkedForStorage()
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            guard
                let locked = try await groups.lock(
                    organization, id: id, displayName: input.displayName, externalId: .some(input.externalId), on: db, logger: logger)
            else { throw Self.notFound(id) }
            let change = try await groups.replaceMembers(
                organization, group: id, users: input.members.map(\.value), requestingRunsOf: locked.policies, on: db, logger: logger)
            try Self.refuseUnknown(change)
            try await ScimMembershipEffects.queue(change.freshRuns, organization: organization, on: db, logger: logger)
            return Resource(group: locked.group, members: try await groups.members(organization, of: [id], on: db, logger: logger)[id] ?? [])
        }
    }

    /// `DELETE /Groups/{id}`: the group and its membership go.
    public func delete(_ id: String, caller: ScimCaller, logger: Logger) async throws {
        let organization = caller.organizationID
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            guard try await groups.delete(organization, id: id, on: db, logger: logger) else { throw Self.notFound(id) }
            try await ScimMembershipEffects.groupsChanged([id], organization: organization, on: db, logger: logger)
        }
    }

    static func refuseUnknown(_ change: ScimGroupRepository.MembershipChange) throws(ScimError) {
        guard !change.unknownUsers.isEmpty else { return }
        let listed = change.unknownUsers.prefix(10).map { "\"\($0)\"" }.joined(separator: ", ")
        let more = change.unknownUsers.count > 10 ? " and \(change.unknownUsers.count - 10) more" : ""
        throw .invalidValue("members must be users of this SCIM endpoint; no user has id \(listed)\(more).")
    }

    static func notFound(_ id: String) -> ScimError {
        .notFound("No group has id \"\(id)\" in this organization.")
    }
}
