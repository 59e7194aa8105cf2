import Foundation
import HTTPTypes
import Hummingbird
import UserSyncConnectors
import UserSyncDomain
import UserSyncUseCases

/// Where each platform delivers a connection's message events (docs/relay.md):
/// `POST /events/{slack|teams|zoom|webex}/{org}/{connection}`. No API key: every request is
/// verified with the connection's own secret (signature, timestamp, Bot Framework token) before
/// its body is read, then stored and answered at once; the worker delivers.
struct RelayEventRoutes {
    let inbox: RelayInbox
    let bodyLimit: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        for platform in Platform.allCases {
            router.post("events/\(platform.rawValue)/{org}/{connection}") { request, context in
                try await receive(request, context: context, platform: platform)
            }
        }
    }

    func receive(_ request: Request, context: AppRequestContext, platform: Platform) async throws -> Response {
        guard let organization = context.parameters.get("org").flatMap(UUID.init(uuidString:)).map(OrganizationID.init),
            let connection = context.parameters.get("connection").flatMap(UUID.init(uuidString:)).map(ConnectionID.init)
        else { throw DomainError.notFound(resource: "connection") }
        // A body over the limit is answered 413 by the request envelope.
        let body = try await request.body.collect(upTo: bodyLimit)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let inbound = InboundRequest(headers: headers, body: Array(buffer: body))
        let receipt: RelayInbox.Receipt
        do {
            receipt = try await inbox.receive(inbound, platform: platform, organization: organization, connection: connection, logger: context.logger)
        } catch let refusal as EventRefusal {
            let status = HTTPResponse.Status(code: refusal.httpStatus)
            throw APIError(
                status, code: refusal.code.rawValue,
                title: refusal.isClientError ? "Malformed event" : status == .serviceUnavailable ? "Event not verifiable now" : "Event refused",
                detail: refusal.message)
        }
        switch receipt {
        case .challenge(let text, let contentType):
            return Response(
                status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
        case .stored:
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
    }
}
