import Foundation
import Hummingbird
import Metrics
import UserSyncDomain
import UserSyncUseCases

/// Where Microsoft Graph delivers an organization's change and lifecycle notifications: for the
/// Entra groups Auto Sync follows (platform-apis.md §2.7), and, under `/chats`, for the chat
/// messages of linked Teams people, which the relay carries. No API key: each notification carries
/// its subscription's client state, a secret only Graph and UserSync know, which the use case
/// checks. The validation handshake (`?validationToken=`) is echoed as `text/plain` at once.
struct GraphNotificationRoutes {
    let notifications: AutoSyncNotifications
    /// Notifications of linked Teams people's chat messages, for the relay (docs/relay.md).
    let chats: RelayChatNotifications
    let bodyLimit: Int

    static let accepted = Counter(label: "usersync_graph_notifications_total", dimensions: [("outcome", "accepted")])
    static let refused = Counter(label: "usersync_graph_notifications_total", dimensions: [("outcome", "refused")])

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("events/graph/{org}", use: receive)
        router.post("events/graph/{org}/chats", use: receiveChats)
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await handle(
            request, context,
            texts: { (batch: AutoSyncNotifications.Batch) in
                batch.value.flatMap { [$0.subscriptionId, $0.clientState, $0.lifecycleEvent] }
            }
        ) { batch, organization in
            let receipt = try await notifications.receive(batch, organization: organization, logger: context.logger)
            Self.accepted.increment(by: receipt.accepted)
            Self.refused.increment(by: receipt.refused)
        }
    }

    @Sendable func receiveChats(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await handle(
            request, context,
            texts: { (batch: RelayChatNotifications.Batch) in
                batch.value.flatMap { [$0.subscriptionId, $0.clientState, $0.lifecycleEvent, $0.changeType, $0.resource, $0.resourceData?.id] }
            }
        ) { batch, organization in
            _ = try await chats.receive(batch, organization: organization, logger: context.logger)
        }
    }

    /// Answers Graph's validation handshake (`?validationToken=`, echoed as `text/plain` at once),
    /// else takes the body's batch and answers 202.
    private func handle<Batch: Decodable>(
        _ request: Request, _ context: AppRequestContext, texts: (Batch) -> [String?], _ take: (Batch, OrganizationID) async throws -> Void
    ) async throws -> Response {
        guard let organization = context.parameters.get("org").flatMap(UUID.init(uuidString:)).map(OrganizationID.init) else {
            throw DomainError.notFound(resource: "organization")
        }
        // A body over the limit is answered 413 by the request envelope.
        let buffer = try await request.body.collect(upTo: bodyLimit)
        if let token = try request.query("validationToken") {
            // Graph's handshake comes with no body (text/plain); a JSON body must still be a batch,
            // as the document says, though the handshake does not act on it.
            if buffer.readableBytes > 0, request.headers[.contentType]?.hasPrefix("application/json") == true {
                _ = try Self.batch(buffer, texts: texts)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: token)))
        }
        try await take(try Self.batch(buffer, texts: texts), organization)
        return Response(status: .accepted)
    }

    /// The batch in `buffer`; a 400 for anything else, or for a NUL character (which no Graph id
    /// or state holds, and PostgreSQL's text cannot).
    static func batch<Batch: Decodable>(_ buffer: ByteBuffer, texts: (Batch) -> [String?]) throws -> Batch {
        let malformed = APIError.badRequest("malformed_notification", "The body is not a batch of Graph notifications ({\"value\": [...]}).")
        guard let batch = try? JSONDecoder().decode(Batch.self, from: Data(buffer: buffer)) else { throw malformed }
        guard !texts(batch).contains(where: { $0?.contains("\u{0}") == true }) else { throw malformed }
        return batch
    }
}
