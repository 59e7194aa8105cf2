import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// Discovery (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes[/{name}]`,
/// `/Schemas[/{urn}]`. Like everything under `/scim/v2/{org}` they need a live SCIM token of the
/// organization (Entra and Okta send it here too); reading nothing else, they check it on their
/// own. Bulk, `/Me` and `/.search` are answered 501, as RFC 7644 §3.12 says for operations a
/// service provider does not support.
struct ScimDiscoveryRoutes {
    let access: ScimAccess
    let locations: ScimLocations

    func addRoutes(to scim: RouterGroup<ScimTenantContext>) {
        scim.get("ServiceProviderConfig", use: admitted(serviceProviderConfig))
        scim.get("ResourceTypes", use: admitted(resourceTypes))
        scim.get("ResourceTypes/{name}", use: admitted(resourceType))
        scim.get("Schemas", use: admitted(schemas))
        scim.get("Schemas/{urn}", use: admitted(schema))
        scim.post("Bulk", use: admitted(unsupported))
        scim.post(".search", use: admitted(unsupported))
        scim.get("Me", use: admitted(unsupported))
    }

    private typealias Handler = @Sendable (Request, ScimTenantContext) async throws -> Response

    private func admitted(_ handler: @escaping Handler) -> Handler {
        { [access] request, context in
            try await access.admit(context.caller, logger: context.logger)
            return try await handler(request, context)
        }
    }

    @Sendable func serviceProviderConfig(_ request: Request, context: ScimTenantContext) async throws -> Response {
        .scim(ScimDiscoveryDocuments.serviceProviderConfig.located(at: "\(locations.base(context.reference))/ServiceProviderConfig"))
    }

    @Sendable func resourceTypes(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let all = ScimDiscoveryDocuments.resourceTypes.map { located($0, "ResourceTypes", context) }
        return .scim(ScimRepresentation.list(all, totalResults: all.count, startIndex: 1))
    }

    @Sendable func resourceType(_ request: Request, context: ScimTenantContext) async throws -> Response {
        try one(of: ScimDiscoveryDocuments.resourceTypes, named: context.parameters.get("name"), under: "ResourceTypes", context)
    }

    @Sendable func schemas(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let all = ScimDiscoveryDocuments.schemas.map { located($0, "Schemas", context) }
        return .scim(ScimRepresentation.list(all, totalResults: all.count, startIndex: 1))
    }

    @Sendable func schema(_ request: Request, context: ScimTenantContext) async throws -> Response {
        try one(of: ScimDiscoveryDocuments.schemas, named: context.parameters.get("urn"), under: "Schemas", context)
    }

    @Sendable func unsupported(_ request: Request, context: ScimTenantContext) async throws -> Response {
        throw ScimError(status: 501, detail: "\(request.method.rawValue) \(request.uri.path) is not supported; see /ServiceProviderConfig.")
    }

    /// The document whose id is `name` (compared without case, as URNs are).
    private func one(of documents: [ScimJSON], named name: String?, under path: String, _ context: ScimTenantContext) throws -> Response {
        guard let name = name?.removingPercentEncoding ?? name,
            let document = documents.first(where: { $0.documentID?.lowercased() == name.lowercased() })
        else { throw ScimError.notFound("No \(path == "Schemas" ? "schema" : "resource type") is called \"\(name ?? "")\".") }
        return .scim(located(document, path, context))
    }

    private func located(_ document: ScimJSON, _ path: String, _ context: ScimTenantContext) -> ScimJSON {
        document.located(at: "\(locations.base(context.reference))/\(path)/\(document.documentID ?? "")")
    }
}
