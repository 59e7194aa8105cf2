import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// Primary choices and syncs: one person at a time, or in bulk by ids or by a people filter.
struct SyncRoutes {
    let userSync: UserSync

    struct PrimaryBody: RequestBody, PrimaryTargetBody {
        static let fields: Set<String> = ["connection_id", "platform"]
        let connectionID: ConnectionID?
        let platform: Platform?

        enum CodingKeys: String, CodingKey { case connectionID = "connection_id", platform }
    }

    struct BulkPrimaryBody: BulkBody, PrimaryTargetBody {
        static let fields: Set<String> = ["connection_id", "platform", "person_ids", "filter"]
        let connectionID: ConnectionID?
        let platform: Platform?
        let personIDs: [PersonID]?
        let filter: PeopleFilterBody?

        enum CodingKeys: String, CodingKey { case connectionID = "connection_id", platform, personIDs = "person_ids", filter }
    }

    struct SyncBody: RequestBody {
        static let fields: Set<String> = ["connection_id"]
        let connectionID: ConnectionID

        enum CodingKeys: String, CodingKey { case connectionID = "connection_id" }
    }

    struct BulkSyncBody: BulkBody {
        static let fields: Set<String> = ["connection_id", "person_ids", "filter"]
        let connectionID: ConnectionID
        let personIDs: [PersonID]?
        let filter: PeopleFilterBody?

        enum CodingKeys: String, CodingKey { case connectionID = "connection_id", personIDs = "person_ids", filter }
    }

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.put("people/{person_id}/primary", use: setPrimary)
        org.post("people/primary", use: setPrimaries)
        org.post("people/{person_id}/syncs", use: startSync)
        org.post("people/{person_id}/syncs/preview", use: previewSync)
        org.post("syncs", use: startSyncs)
        org.post("syncs/preview", use: previewSyncs)
        org.get("syncs/{sync_id}", use: get)
        org.post("syncs/{sync_id}/retry", use: retry)
    }

    @Sendable func setPrimary(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let person = try context.parameters.identifier("person_id", as: PersonID.self)
        let body = try await request.decodeBody(PrimaryBody.self, limit: context.bodyLimit)
        try body.requireOne()
        let updated = try await userSync.setPrimary(
            person, connection: body.connectionID, platform: body.platform, organization: context.organization.id, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return .json(PersonRepresentation(updated))
    }

    @Sendable func setPrimaries(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let body = try await request.decodeBody(BulkPrimaryBody.self, limit: context.bodyLimit)
        try body.requireOne()
        let tally = try await userSync.setPrimary(
            try body.target(), connection: body.connectionID, platform: body.platform, organization: context.organization.id,
            actor: context.actor, requestID: context.requestID, logger: context.logger)
        return try .json(TallyRepresentation(counts: tally))
    }

    /// 201 with a new sync, 200 with the one that already existed.
    @Sendable func startSync(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let person = try context.parameters.identifier("person_id", as: PersonID.self)
        let body = try await request.decodeBody(SyncBody.self, limit: context.bodyLimit)
        let (sync, created) = try await userSync.startSync(
            person, connection: body.connectionID, organization: context.organization.id, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return .json(SyncRepresentation(sync, history: false), status: created ? .created : .ok)
    }

    @Sendable func startSyncs(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let body = try await request.decodeBody(BulkSyncBody.self, limit: context.bodyLimit)
        let tally = try await userSync.startSyncs(
            try body.target(), connection: body.connectionID, organization: context.organization.id, actor: context.actor,
            requestID: context.requestID, logger: context.logger)
        return try .json(TallyRepresentation(counts: tally), status: .accepted)
    }

    /// What starting the sync would do, with nothing changed (any key may ask).
    @Sendable func previewSync(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let person = try context.parameters.identifier("person_id", as: PersonID.self)
        let body = try await request.decodeBody(SyncBody.self, limit: context.bodyLimit)
        let preview = try await userSync.preview(person, connection: body.connectionID, organization: context.organization.id, logger: context.logger)
        return try .json(SyncPreviewRepresentation(preview))
    }

    /// How many of the people a bulk sync names each outcome applies to, with nothing changed.
    @Sendable func previewSyncs(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let body = try await request.decodeBody(BulkSyncBody.self, limit: context.bodyLimit)
        let (connection, tally) = try await userSync.preview(
            try body.target(), connection: body.connectionID, organization: context.organization.id, logger: context.logger)
        return try .json(
            BulkSyncPreviewRepresentation(
                connectionId: connection.id, platform: connection.platform, total: tally.values.reduce(0, +), counts: tally))
    }

    @Sendable func get(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let id = try context.parameters.identifier("sync_id", as: SyncID.self)
        return .json(SyncRepresentation(try await userSync.sync(id, organization: context.organization.id, logger: context.logger), history: true))
    }

    @Sendable func retry(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try context.requireWrite()
        let id = try context.parameters.identifier("sync_id", as: SyncID.self)
        let sync = try await userSync.retry(
            id, organization: context.organization.id, actor: context.actor, requestID: context.requestID, logger: context.logger)
        return .json(SyncRepresentation(sync, history: false), status: .accepted)
    }
}
