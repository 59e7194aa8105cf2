import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/relay/…`: the organization's relay policy (files across platforms, separately
/// through stand-ins) and the people who may not message across platforms.
struct RelayPolicyRoutes {
    let policies: RelayPolicies

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("relay/policy", use: policy)
        org.patch("relay/policy", use: update)
        org.get("relay/restricted", use: restrictions)
        org.put("relay/restricted/{person_id}", use: restrict)
        org.delete("relay/restricted/{person_id}", use: lift)
    }

    struct PolicyBody: RequestBody {
        static let fields: Set<String> = ["files_allowed", "stand_in_files_allowed"]
        let filesAllowed: Bool?
        let standInFilesAllowed: Bool?

        enum CodingKeys: String, CodingKey { case filesAllowed = "files_allowed", standInFilesAllowed = "stand_in_files_allowed" }

        /// A field left out is unchanged; a field sent must be a boolean (null is refused, as documented).
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func flag(_ key: CodingKeys) throws -> Bool? {
                guard container.contains(key) else { return nil }
                return try container.decode(Bool.self, forKey: key)
            }
            filesAllowed = try flag(.filesAllowed)
            standInFilesAllowed = try flag(.standInFilesAllowed)
        }
    }

    struct PolicyRepresentation: Encodable {
        let filesAllowed: Bool
        let standInFilesAllowed: Bool

        init(_ policy: RelayPolicy) {
            filesAllowed = policy.filesAllowed
            standInFilesAllowed = policy.standInFilesAllowed
        }
    }

    struct RestrictionRepresentation: Encodable {
        let personId: PersonID
        let createdAt: Date
        let createdBy: String
    }

    @Sendable func policy(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters([])
        return try .json(PolicyRepresentation(try await policies.policy(context.organization.id, logger: context.logger)))
    }

    @Sendable func update(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        try request.allowQueryParameters([])
        let body = try await request.decodeBody(PolicyBody.self, limit: context.bodyLimit)
        guard body.filesAllowed != nil || body.standInFilesAllowed != nil else {
            throw DomainError.invalid("files_allowed", "required", "Send 'files_allowed', 'stand_in_files_allowed' or both.")
        }
        let policy = try await policies.update(
            context.organization.id, filesAllowed: body.filesAllowed, standInFilesAllowed: body.standInFilesAllowed, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return try .json(PolicyRepresentation(policy))
    }

    @Sendable func restrictions(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["cursor", "limit"])
        let limit = try request.integer("limit", default: 100, range: 1...500)
        var after: PersonID?
        if let cursor = try request.cursor() {
            guard let id = PersonID(cursor) else { throw APIError.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned.") }
            after = id
        }
        let listed = try await policies.restrictions(context.organization.id, after: after, limit: limit + 1, logger: context.logger)
        let page = Array(listed.prefix(limit))
        let next = listed.count > limit ? page.last.map { Data($0.person.description.utf8).base64URL } : nil
        return try .json(
            Page(
                items: page.map { RestrictionRepresentation(personId: $0.person, createdAt: $0.createdAt, createdBy: $0.createdBy) },
                nextCursor: next))
    }

    @Sendable func restrict(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        try request.allowQueryParameters([])
        let person = try context.parameters.identifier("person_id", as: PersonID.self)
        let added = try await policies.restrict(
            context.organization.id, person, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return Response(status: added ? .created : .noContent)
    }

    @Sendable func lift(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        try request.allowQueryParameters([])
        let person = try context.parameters.identifier("person_id", as: PersonID.self)
        try await policies.lift(context.organization.id, person, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return Response(status: .noContent)
    }
}
