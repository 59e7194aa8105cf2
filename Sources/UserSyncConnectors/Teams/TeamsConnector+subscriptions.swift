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

    /// Graph writes seven fractional digits (`2025-12-10T08:00:00.0000000Z`), which
    /// ISO8601DateFormatter does not read: the fraction is cut to milliseconds first.
    static func parseGraphDate(_ text: String) -> Date? {
        var text = text
        if let dot = text.firstIndex(of: "."), let end = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) {
            let digits = text[text.index(after: dot)..<end]
            text.replaceSubrange(dot..<end, with: "." + (digits + "000").prefix(3))
        }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
