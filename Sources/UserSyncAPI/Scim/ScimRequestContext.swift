import Hummingbird
import UserSyncDomain

/// The context of the routes under `/scim/v2/{org}`. It cannot be created unless
/// ``ScimAuthenticationMiddleware`` admitted a SCIM token of the organization the URL names.
struct ScimRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let bodyLimit: Int
    let organization: Organization
    /// The `{org}` of the URL as the identity provider wrote it (slug or id), so that resource
    /// locations stay under the base URL the provider was configured with.
    let reference: String

    init(context: AppRequestContext) throws {
        guard let organization = context.organization else { throw ScimError.unauthenticated }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.bodyLimit = context.bodyLimit
        self.organization = organization
        self.reference = context.parameters.get("org") ?? organization.slug.rawValue
    }

    var maxUploadSize: Int { bodyLimit }
}

extension ScimError {
    /// 401 for every credential problem alike: missing, malformed, unknown, revoked, another
    /// organization's, an API key, or an organization that does not exist.
    static let unauthenticated = ScimError(
        status: 401, detail: "Send a SCIM token of this organization as 'Authorization: Bearer <token>' (create one with POST /v1/orgs/{org}/scim/tokens).")
}
