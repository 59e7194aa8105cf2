import Foundation
import Testing
import UserSyncSimulator
import UserSyncTestSupport

/// Graph's subscription wire shapes and calls for the chat subscription suite.
enum GraphChatSubscriptionSupport {
    struct Subscription: Decodable {
        var id: String
        var resource: String
        var changeType: String
        var expirationDateTime: String
        var clientState: String?
        var creatorId: String?
    }

    struct Listing: Decodable { var value: [Subscription] }

    /// A change or lifecycle notification, as the subscriber receives it.
    struct Notification: Decodable {
        struct ResourceData: Decodable {
            var odataType: String?
            var odataID: String?
            var id: String?

            enum CodingKeys: String, CodingKey {
                case odataType = "@odata.type", odataID = "@odata.id", id
            }
        }

        var subscriptionId: String
        var subscriptionExpirationDateTime: String
        var clientState: String?
        var changeType: String?
        var lifecycleEvent: String?
        var resource: String?
        var tenantId: String
        var resourceData: ResourceData?
    }

    struct Batch: Decodable { var value: [Notification] }

    struct Message: Decodable {
        struct From: Decodable {
            struct User: Decodable { var id: String }
            var user: User?
        }

        struct Body: Decodable { var content: String }
        var id: String
        var from: From
        var body: Body
    }

    /// Echoes Graph's validation token as `text/plain`; takes every notification.
    static let answerValidation: EventReceiver.Respond = { received, _ in
        received.query["validationToken"].map { EventReceiver.Answer(body: $0) } ?? EventReceiver.Answer(status: .accepted)
    }

    /// `POST /subscriptions` notifying the receiver's `chats` URL, with its `lifecycle` URL.
    static func subscribe(
        _ platforms: SimulatedPlatforms, token: String, resource: String, receiver: EventReceiver, minutes: Double = 59,
        changeType: String = "created,updated,deleted", clientState: String = "state"
    ) async throws -> Chat.Reply {
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(minutes * 60))
        let fields: [String: String] = [
            "changeType": changeType, "notificationUrl": receiver.url("chats"), "lifecycleNotificationUrl": receiver.url("lifecycle"),
            "resource": resource, "expirationDateTime": expiry, "clientState": clientState,
        ]
        let json = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        return try await Chat.call(platforms, .POST, "/graph/v1.0/subscriptions", token: token, json: json)
    }

    /// A client-credentials Graph token for the organization's Entra app.
    static func appToken(_ platforms: SimulatedPlatforms, _ credentials: SimCredentials.Teams) async throws -> String {
        struct Token: Decodable { var access_token: String }
        let reply = try await Chat.call(
            platforms, .POST, "/login/\(credentials.tenantID)/oauth2/v2.0/token",
            form: "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(credentials.clientSecret)"
                + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default")
        return try reply.decode(Token.self).access_token
    }

    /// The notifications received on the receiver's `name` URL (handshakes left out), once
    /// `done` holds for them; fails after a generous deadline.
    static func notifications(
        _ receiver: EventReceiver, name: String = "chats", sourceLocation: SourceLocation = #_sourceLocation,
        until done: ([Notification]) -> Bool
    ) async throws -> [Notification] {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let requests = receiver.received.filter { $0.name == name && $0.query["validationToken"] == nil }
            let notifications = try requests.flatMap { try $0.decode(Batch.self).value }
            if done(notifications) { return notifications }
            guard ContinuousClock.now < deadline else {
                Issue.record("waited in vain; received \(notifications.count) notifications", sourceLocation: sourceLocation)
                return notifications
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// At least `count` notifications on the receiver's `name` URL.
    static func notifications(
        _ receiver: EventReceiver, count: Int, name: String = "chats", sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [Notification] {
        try await notifications(receiver, name: name, sourceLocation: sourceLocation) { $0.count >= count }
    }
}
