import Foundation
import Hummingbird
import UserSyncDomain
import UserSyncUseCases

/// `/v1/orgs/{org}/routes`: how a direct message from one account reaches a person.
struct RoutingRoutes {
    let routing: MessageRouting

    func addRoutes(to org: RouterGroup<TenantRequestContext>) {
        org.get("routes", use: route)
    }

    @Sendable func route(_ request: Request, context: TenantRequestContext) async throws -> Response {
        try request.allowQueryParameters(["from_platform", "from_account", "from_connection", "to_email", "to_person"])
        guard let platform = try request.choice("from_platform", as: Platform.self) else {
            throw APIError.badRequest("invalid_query_parameter", "'from_platform' is required.")
        }
        guard let account = try request.query("from_account") else {
            throw APIError.badRequest("invalid_query_parameter", "'from_account' (the sender's platform user id) is required.")
        }
        var connection: ConnectionID?
        if let raw = try request.query("from_connection") {
            guard let id = ConnectionID(String(raw)) else {
                throw APIError.badRequest("invalid_query_parameter", "'from_connection' must be a UUID.")
            }
            connection = id
        }
        let recipient: MessageRouting.Recipient
        switch (try request.query("to_email"), try request.query("to_person")) {
        case (let email?, nil):
            guard EmailAddress.normalize(email) != nil else { throw APIError.badRequest("invalid_query_parameter", "'to_email' must not be empty.") }
            recipient = .email(email)
        case (nil, let person?):
            guard let id = PersonID(person) else { throw APIError.badRequest("invalid_query_parameter", "'to_person' must be a UUID.") }
            recipient = .person(id)
        default:
            throw APIError.badRequest("invalid_query_parameter", "Send either 'to_email' or 'to_person'.")
        }
        let route = try await routing.route(
            fromPlatform: platform, fromAccount: account, fromConnection: connection, to: recipient, organization: context.organization.id,
            logger: context.logger)
        return try .json(RouteRepresentation(route))
    }
}
