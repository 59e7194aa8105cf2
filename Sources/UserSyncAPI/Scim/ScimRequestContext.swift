import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// The context of every request under `/scim/v2`, carried over from the main router's (request
/// id, body limit, logger, route template for metrics). The SCIM endpoint has a router of its own
/// whose context knows nothing of API keys or the operator (``AppRequestContext/principal``): a
/// SCIM request's only credential is a SCIM token.
struct ScimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var requestID = ""
    var bodyLimit = 1 << 20
    /// Set by ``ScimAuthenticationMiddleware``.
    var caller: ScimCaller?
    var organization: Organization?

    init(source: Source) {
        coreContext = .init(source: source)
    }

    init(_ context: AppRequestContext) {
        coreContext = context.coreContext
        requestID = context.requestID
        bodyLimit = context.bodyLimit
    }

    var maxUploadSize: Int { bodyLimit }
}

/// The context of the routes under `/scim/v2/{org}`. It cannot be created unless
/// ``ScimAuthenticationMiddleware`` found a SCIM token of the organization the URL names; the
/// use cases check the token is live in the transaction that serves the request.
struct ScimTenantContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let bodyLimit: Int
    let caller: ScimCaller
    let organization: Organization
    /// The `{org}` of the URL as the identity provider wrote it (slug or id), so that resource
    /// locations stay under the base URL the provider was configured with.
    let reference: String

    init(context: ScimRequestContext) throws {
        guard let caller = context.caller, let organization = context.organization else { throw ScimError.unauthenticated }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.bodyLimit = context.bodyLimit
        self.caller = caller
        self.organization = organization
        self.reference = context.parameters.get("org") ?? organization.slug.rawValue
    }

    var maxUploadSize: Int { bodyLimit }
}
