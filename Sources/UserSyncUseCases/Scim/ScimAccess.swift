import Logging
import UserSyncDomain
import UserSyncPersistence

/// Who may use an organization's SCIM endpoint: a live SCIM token of that organization, and
/// nothing else (not an API key, not the operator token, not another organization's token).
public struct ScimAccess: Sendable {
    let tokens: ScimTokens
    let administration: OrganizationAdministration

    public init(database: Database) {
        tokens = ScimTokens(database: database)
        administration = OrganizationAdministration(database: database)
    }

    /// The organization `reference` (the slug or id in the endpoint's URL) names, if `presented`
    /// is a live SCIM token of it; nil otherwise, whichever of the two was wrong, so that a
    /// caller learns nothing about which organizations exist.
    public func admit(_ presented: String, reference: String, logger: Logger) async throws -> (Organization, ScimToken)? {
        guard let token = try await tokens.admit(presented, logger: logger) else { return nil }
        if let id = OrganizationID(reference), id != token.organizationID { return nil }
        let organization: Organization
        do {
            organization = try await administration.organization(reference, logger: logger)
        } catch DomainError.notFound {
            return nil
        }
        return organization.id == token.organizationID ? (organization, token) : nil
    }
}
