import Logging
import Synchronization
import UserSyncDomain
import UserSyncPersistence

/// Who may use an organization's SCIM endpoint: a live SCIM token of that organization, and
/// nothing else (not an API key, not the operator token, not another organization's token).
///
/// The endpoint checks it in two steps: before a request is read, that the token is a SCIM
/// token of the organization the URL names (``organization(_:reference:logger:)``, no query once
/// the URL is known); then that the token is live, in the transaction that serves the request
/// (``Database/withScimCaller(_:now:logger:_:)``), or on its own (``admit(_:logger:)``) for a
/// request that reads nothing (discovery, an unknown route).
public struct ScimAccess: Sendable {
    let tokens: ScimTokens
    let administration: OrganizationAdministration
    let organizations = ScimOrganizationCache()

    public init(database: Database) {
        tokens = ScimTokens(database: database)
        administration = OrganizationAdministration(database: database)
    }

    /// The organization `reference` (the slug or id in the endpoint's URL) names, if it is the
    /// caller's; nil otherwise, whether it is another organization or none, so that a caller
    /// learns nothing about which organizations exist.
    public func organization(_ caller: ScimCaller, reference: String, logger: Logger) async throws -> Organization? {
        // Only a match is taken from memory: a slug remembered for a deleted organization may
        // name a new one now.
        if let known = organizations[reference], known.id == caller.organizationID { return known }
        if let id = OrganizationID(reference), id != caller.organizationID { return nil }
        let organization: Organization
        do {
            organization = try await administration.organization(reference, logger: logger)
        } catch DomainError.notFound {
            return nil
        }
        organizations[reference] = organization
        return organization.id == caller.organizationID ? organization : nil
    }

    /// Checks that the caller's token is live (401 otherwise), in a transaction of its own.
    public func admit(_ caller: ScimCaller, logger: Logger) async throws {
        guard try await tokens.admit(caller.presented, logger: logger) else { throw ScimError.unauthenticated }
    }
}

/// The organizations SCIM URLs named lately, by the slug or id in the URL.
///
/// A slug never changes, nor passes to another organization while its organization exists, so
/// an entry stays right for as long as its organization exists; once the organization is
/// deleted, so are its tokens, and the transaction that checks a token refuses every request
/// that could still match the entry. Only `name` may be stale, which SCIM does not use.
final class ScimOrganizationCache: Sendable {
    private let entries = Mutex<[String: Organization]>([:])
    static let capacity = 10_000

    subscript(reference: String) -> Organization? {
        get { entries.withLock { $0[reference] } }
        set {
            entries.withLock { entries in
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
                entries[reference] = newValue
            }
        }
    }
}
