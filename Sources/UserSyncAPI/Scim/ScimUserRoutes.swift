import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/scim/v2/{org}/Users` (RFC 7644 §3.3–3.6) as Entra ID provisioning and Okta use it: look up
/// by filter, create, read, replace (Okta's AIW apps), patch (Entra; Okta's OIN apps), delete.
/// A deactivated user (`active: false`) stays readable; only DELETE removes it.
struct ScimUserRoutes {
    let users: ScimUsers
    let locations: ScimLocations

    func addRoutes(to scim: RouterGroup<ScimTenantContext>) {
        scim.get("Users", use: list)
        scim.post("Users", use: create)
        scim.get("Users/{id}", use: get)
        scim.put("Users/{id}", use: replace)
        scim.patch("Users/{id}", use: patch)
        scim.delete("Users/{id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let query = ScimQuery(request)
        let paging = try query.paging()
        let page = try await users.list(filter: query.filter, paging: paging, caller: context.caller, logger: context.logger)
        let projection = ScimProjection(query)
        let resources = page.items.map { projection.apply(to: representation($0, context)) }
        return .scim(ScimRepresentation.list(resources, totalResults: page.totalResults, startIndex: paging.startIndex))
    }

    /// 201 with the user and its `Location`.
    @Sendable func create(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let input = try ScimUserInput.decode(try await request.scimBody(limit: context.bodyLimit))
        let created = try await users.create(input, caller: context.caller, logger: context.logger)
        return respond(created, request, context, status: .created, headers: [.location: locations.user(created.id, in: context.reference)])
    }

    @Sendable func get(_ request: Request, context: ScimTenantContext) async throws -> Response {
        respond(try await users.get(id(context), caller: context.caller, logger: context.logger), request, context)
    }

    @Sendable func replace(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let input = try ScimUserInput.decode(try await request.scimBody(limit: context.bodyLimit))
        return respond(try await users.replace(id(context), with: input, caller: context.caller, logger: context.logger), request, context)
    }

    /// 200 with the user as it now is (Okta reads it; Entra accepts it).
    @Sendable func patch(_ request: Request, context: ScimTenantContext) async throws -> Response {
        let patch = try ScimPatchRequest.decode(try await request.scimBody(limit: context.bodyLimit))
        return respond(try await users.patch(id(context), patch, caller: context.caller, logger: context.logger), request, context)
    }

    @Sendable func delete(_ request: Request, context: ScimTenantContext) async throws -> Response {
        try await users.delete(id(context), caller: context.caller, logger: context.logger)
        return .scimNoContent
    }

    private func id(_ context: ScimTenantContext) -> String { context.parameters.get("id") ?? "" }

    private func representation(_ record: ScimUserRecord, _ context: ScimTenantContext) -> ScimJSON {
        ScimRepresentation.user(record, location: locations.user(record.id, in: context.reference))
    }

    private func respond(
        _ record: ScimUserRecord, _ request: Request, _ context: ScimTenantContext, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        .scim(ScimProjection(ScimQuery(request)).apply(to: representation(record, context)), status: status, headers: headers)
    }
}
