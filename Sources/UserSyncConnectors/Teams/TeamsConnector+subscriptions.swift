import Foundation
import UserSyncDomain

/// Change notifications for Entra groups' members (platform-apis.md §2.7): `POST /subscriptions`
/// on `/groups/{id}/members` with `changeType` `updated`, the same URL for lifecycle
/// notifications, renewed with `PATCH` (which also reauthorizes), ended with `DELETE`.
extension TeamsConnector: DirectoryGroupSubscribing {
    public func subscribe(
        groupID: String, notificationURL: String, clientState: String, expiresAt: Date
    ) async throws(PlatformFailure) -> GroupSubscription {
        let body = GraphSubscriptionWire(
            changeType: "updated", notificationUrl: notificationURL, lifecycleNotificationUrl: notificationURL,
            resource: "/groups/\(groupID)/members", expirationDateTime: Self.graphDate(expiresAt), clientState: clientState)
        let created = try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
            try await http.sendJSON(
                .json("\(endpoints.api)/subscriptions", endpoint: "subscriptions.create", body: body, bearer: token), as: GraphSubscriptionWire.self)
        }
        return try Self.subscription(created)
    }

    public func renewSubscription(_ id: String, expiresAt: Date) async throws(PlatformFailure) -> GroupSubscription {
        let body = GraphSubscriptionWire(expirationDateTime: Self.graphDate(expiresAt))
        let renewed = try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
            try await http.sendJSON(
                .json(subscriptionURL(id), method: .PATCH, endpoint: "subscriptions.renew", body: body, bearer: token, idempotent: true),
                as: GraphSubscriptionWire.self)
        }
        return try Self.subscription(renewed, id: id)
    }

    public func deleteSubscription(_ id: String) async throws(PlatformFailure) {
        do {
            try await withAppToken(graphTokens, fetch: fetchGraphToken) { token async throws(PlatformFailure) in
                var request = PlatformRequest.get(subscriptionURL(id), endpoint: "subscriptions.delete", bearer: token)
                request.method = .DELETE
                try await http.send(request) { _ throws(PlatformFailure) in () }
            }
        } catch  where error.cause == .targetNotFound {
            return  // already gone
        }
    }

    private func subscriptionURL(_ id: String) -> String { "\(endpoints.api)/subscriptions/\(FormEncoding.escape(id))" }

    private static func subscription(_ wire: GraphSubscriptionWire, id: String? = nil) throws(PlatformFailure) -> GroupSubscription {
        guard let id = wire.id ?? id, let expiresAt = parseGraphDate(wire.expirationDateTime) else {
            throw PlatformFailure(.malformedResponse, platform: .teams, message: "Graph returned a subscription without an id or expiry")
        }
        return GroupSubscription(id: id, expiresAt: expiresAt)
    }

    static func graphDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Graph writes seven fractional digits (`2025-12-10T08:00:00.0000000Z`), the Bot Framework
    /// writes offsets; both are read, with or without a fraction. Foundation's format style,
    /// not `ISO8601DateFormatter`, which builds an ICU formatter each time (1.5 % of all the CPU
    /// of the relay benchmark, which reads a date from every Teams activity).
    static func parseGraphDate(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
