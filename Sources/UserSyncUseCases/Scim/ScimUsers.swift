import Foundation
import Logging
import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

/// SCIM Users (RFC 7644 §3) as an identity provider pushes them: each request is one
/// transaction in the caller's organization that first checks its token
/// (``Database/withScimCaller(_:now:logger:_:)``), and a change that can change who counts as a
/// member of a group (deactivation, reactivation, another email, deletion) asks for the Auto Sync
/// runs of the groups' policies in that same transaction.
///
/// Failures are ``ScimError``s, which the SCIM endpoint sends as they are.
public struct ScimUsers: Sendable {
    let database: Database
    let now: @Sendable () -> Date
    let newID: @Sendable () -> String
    let users = ScimUserRepository()

    public init(
        database: Database, now: @escaping @Sendable () -> Date = Date.init, newID: @escaping @Sendable () -> String = { UUID().lowercasedText }
    ) {
        self.database = database
        self.now = now
        self.newID = newID
    }

    /// `POST /Users`. A user is active unless the body says otherwise. A new user is in no
    /// group yet, so nothing runs.
    public func create(_ input: ScimUserInput, caller: ScimCaller, logger: Logger) async throws -> ScimUserRecord {
        let organization = caller.organizationID
        var user = try input.checkedForStorage()
        user.active = user.active ?? true
        let id = newID()
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            try await users.insert(organization, id: id, user, matchingEmail: user.matchingEmail, on: db, logger: logger)
        }
    }

    public func get(_ id: String, caller: ScimCaller, logger: Logger) async throws -> ScimUserRecord {
        let organization = caller.organizationID
        let found = try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            try await users.get(organization, id: id, on: db, logger: logger)
        }
        guard let found else { throw Self.notFound(id) }
        return found
    }

    /// `GET /Users?filter=…`: `filter` is parsed here so that every unsupported form is the same
    /// 400 `invalidFilter` whatever route asks.
    public func list(filter: String?, paging: ScimPaging, caller: ScimCaller, logger: Logger) async throws -> ScimPage<ScimUserRecord> {
        let organization = caller.organizationID
        let equalities = try filter.map { text throws(ScimError) in try ScimFilter.parse(text).equalities(on: ScimUserFilterAttribute.self) } ?? []
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            try await users.list(organization, filter: equalities, paging: paging, on: db, logger: logger)
        }
    }

    /// `PUT /Users/{id}`: every attribute as sent, except that a body without `active` keeps
    /// the stored value (a PUT that forgets it must not deactivate anyone).
    public func replace(_ id: String, with input: ScimUserInput, caller: ScimCaller, logger: Logger) async throws -> ScimUserRecord {
        let replacement = try input.checkedForStorage()
        return try await edit(id, caller: caller, logger: logger) { current in
            var user = replacement
            user.active = replacement.active ?? current.active
            return user
        }
    }

    /// `PATCH /Users/{id}`: every operation is checked before anything is read, then all of them
    /// are applied to the stored user and written back at once.
    public func patch(_ id: String, _ request: ScimPatchRequest, caller: ScimCaller, logger: Logger) async throws -> ScimUserRecord {
        let changes = try request.userChanges()
        return try await edit(id, caller: caller, logger: logger) { current throws(ScimError) in
            try current.attributes.applying(changes).checkedForStorage()
        }
    }

    /// `DELETE /Users/{id}`: the user goes, and leaves every group it was in.
    public func delete(_ id: String, caller: ScimCaller, logger: Logger) async throws {
        let organization = caller.organizationID
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            guard let groups = try await users.delete(organization, id: id, on: db, logger: logger) else { throw Self.notFound(id) }
            try await ScimMembershipEffects.groupsChanged(groups, organization: organization, on: db, logger: logger)
        }
    }

    /// Reads and locks the user, writes what `change` makes of it, and asks for runs when the
    /// user's standing in its groups changed.
    private func edit(
        _ id: String, caller: ScimCaller, logger: Logger, _ change: (ScimUserRecord) throws(ScimError) -> ScimUserInput
    ) async throws -> ScimUserRecord {
        let organization = caller.organizationID
        return try await database.withScimCaller(caller, now: now(), logger: logger) { db in
            guard let current = try await users.get(organization, id: id, forUpdate: true, on: db, logger: logger) else { throw Self.notFound(id) }
            let user = try change(current)
            guard let updated = try await users.update(organization, id: id, user, matchingEmail: user.matchingEmail, on: db, logger: logger) else {
                throw Self.notFound(id)
            }
            if updated.active != current.active || updated.attributes.matchingEmail != current.attributes.matchingEmail {
                try await ScimMembershipEffects.userChanged(id, organization: organization, on: db, logger: logger)
            }
            return updated
        }
    }

    static func notFound(_ id: String) -> ScimError {
        .notFound("No user has id \"\(id)\" in this organization.")
    }
}
