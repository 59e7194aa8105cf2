import Foundation
import UserSyncDomain

/// Hearing a linked Teams account (docs/relay.md "Microsoft Teams"): the app's bot is not in a
/// chat between two people, so the relay subscribes, with the linked person's delegated token, to
/// Graph change notifications on their chat messages (`/users/{id}/chats/getAllMessages`, at most
/// an hour, renewed with `PATCH`), and reads a notified message with the same token
/// (`GET /chats/{chat}/messages/{id}`). ⚠️ The resource and its lifetime are not in
/// platform-apis.md: the resource is a setting (`ConnectorSettings.teamsChatSubscriptionResource`).
extension TeamsConnector {
    public var hearsLinkedAccountsBySubscription: Bool { true }

    public func subscribeToEvents(url: String, secret: String, of tokens: UserTokens, renewing: RelaySubscription?) async throws(PlatformFailure)
        -> RelaySubscription?
    {
        let expiry = settings.now().addingTimeInterval(settings.teamsChatSubscriptionLifetime)
        if let renewing {
            do {
                let renewed = try await http.sendJSON(
                    .json(
                        "\(endpoints.api)/subscriptions/\(FormEncoding.escape(renewing.id))", method: .PATCH, endpoint: "subscriptions.renew",
                        body: GraphSubscriptionWire(expirationDateTime: Self.graphDate(expiry)), bearer: tokens.accessToken, credential: .user,
                        idempotent: true), as: GraphSubscriptionWire.self)
                return RelaySubscription(id: renewing.id, expiresAt: Self.parseGraphDate(renewed.expirationDateTime) ?? expiry)
            } catch  where error.cause == .targetNotFound {
                // Lapsed or removed: made anew below.
            }
        }
        guard let user = tokens.platformUserID else {
            throw PlatformFailure(.malformedResponse, platform: .teams, message: "the person's tokens do not say who they are")
        }
        let body = GraphSubscriptionWire(
            changeType: "created,updated,deleted", notificationUrl: url, lifecycleNotificationUrl: url,
            resource: settings.teamsChatSubscriptionResource.replacingOccurrences(of: "{id}", with: user),
            expirationDateTime: Self.graphDate(expiry), clientState: secret)
        let made = try await http.sendJSON(
            .json("\(endpoints.api)/subscriptions", endpoint: "subscriptions.create", body: body, bearer: tokens.accessToken, credential: .user),
            as: GraphSubscriptionWire.self)
        guard let id = made.id else {
            throw PlatformFailure(.malformedResponse, platform: .teams, message: "Graph returned a subscription without an id")
        }
        return RelaySubscription(id: id, expiresAt: Self.parseGraphDate(made.expirationDateTime) ?? expiry)
    }

    /// Reads a message of a chat the linked person is in: its author, HTML text and files. A
    /// message by no person (an app's) has no sender, and the relay ignores it.
    public func complete(_ event: InboundEvent, readingAs tokens: UserTokens) async throws(PlatformFailure) -> InboundEvent {
        let message = try await http.sendJSON(
            .get(chatURL(event.conversationID, event.messageID), endpoint: "chats.messages.get", bearer: tokens.accessToken, credential: .user),
            as: GraphChatMessage.self)
        var completed = event
        completed.senderUserID = message.from?.user?.id ?? ""
        completed.text = message.body?.content ?? ""
        completed.files = (message.attachments ?? []).compactMap { attachment in
            attachment.contentUrl.map { InboundFile(name: attachment.name ?? "file", url: $0) }
        }
        return completed
    }
}

/// A chat message as Graph returns it, as far as the relay reads it.
struct GraphChatMessage: Decodable {
    struct From: Decodable {
        struct User: Decodable { var id: String? }
        struct Application: Decodable { var id: String? }
        var user: User?
        var application: Application?
    }
    struct Body: Decodable { var content: String? }
    struct Attachment: Decodable {
        var name: String?
        var contentUrl: String?
    }
    var id: String?
    var from: From?
    var body: Body?
    var attachments: [Attachment]?
    var createdDateTime: String?
}
