import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/scim/v2/{org}/Groups` (RFC 7644 §3.3–3.6): the groups Auto Sync policies follow. Entra
/// creates a group empty, looks it up with `excludedAttributes=members`, and sends one PATCH per
/// membership change, answered 204 with no member list.
struct ScimGroupRoutes {
    let groups: ScimGroups
    let locations: ScimLocations

    func addRoutes(to scim: RouterGroup<ScimTenantContext>) {
        scim.get("Groups", use: list)
        scim.post("Groups", use: create)
        scim.get("Groups/{id}", use: get)
        scim.put("Groups/{id}", use: replace)
        scim.patch("Groups/{id}", use: patch)
        scim.delete("Groups/{id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let query = ScimQuery(request)
        let paging = try query.paging(), projection = ScimProjection(query)
        let page = try await groups.list(
            filter: query.filter, paging: paging, members: projection.includes("members"), caller: context.caller,
            logger: context.logger)
        let resources = page.items.map { projection.apply(to: ScimRepresentation.group($0, locations: locations, reference: context.reference)) }
        return .scim(ScimRepresentation.list(resources, totalResults: page.totalResults, startIndex: paging.startIndex))
    }

    @Sendable func create(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let input = try ScimGroupInput.decode(try await request.scimBody(limit: context.bodyLimit))
        let created = try await groups.create(input, caller: context.caller, logger: context.logger)
        return respond(created, request, context, status: .created, headers: [.location: locations.group(created.group.id, in: context.reference)])
    }

    @Sendable func get(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let members = ScimProjection(ScimQuery(request)).includes("members")
        return respond(try await groups.get(id(context), members: members, caller: context.caller, logger: context.logger), request, context)
    }

    @Sendable func replace(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let input = try ScimGroupInput.decode(try await request.scimBody(limit: context.bodyLimit))
        return respond(try await groups.replace(id(context), with: input, caller: context.caller, logger: context.logger), request, context)
    }

    @Sendable func patch(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let patch = try ScimPatchRequest.decode(try await request.scimBody(limit: context.bodyLimit))
        try await groups.patch(id(context), patch, caller: context.caller, logger: context.logger)
        return .scimNoContent
    }

    @Sendable func delete(_ request: Request, context: ScimTenantContext) async throws -> Response {
        try await groups.delete(id(context), caller: context.caller, logger: context.logger)
        return .scimNoContent
    }

    private func id(_ context: ScimTenantContext) -> String { context.parameters.get("id") ?? "" }

    private func respond(
        _ resource: ScimGroups.Resource, _ request: Request, _ context: ScimTenantContext, status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:]
    ) -> Response {
        let json = ScimRepresentation.group(resource, locations: locations, reference: context.reference)
        return .scim(ScimProjection(ScimQuery(request)).apply(to: json), status: status, headers: headers)
    }
}
