import Foundation
import Hummingbird

/// Graph change-notification subscriptions (platform-apis.md §2.7) on groups and on a person's
/// chat messages: `POST /subscriptions` with the validation handshake to each URL, `PATCH` to
/// renew, `DELETE`, `POST …/reauthorize`, `GET` one or all. Group membership changes are then
/// delivered (``PlatformSimulator``'s group methods call
/// ``GraphSimulator/notifyMembershipChanged(state:organization:groupID:clientState:)``), and so are
/// Teams chat messages (GraphSimulator+chatSubscriptions.swift). The app token manages every
/// subscription of the tenant; a person's delegated token subscribes to their own chat messages
/// and manages only the subscriptions it made.
extension GraphSimulator {
    /// The longest lifetime Graph grants a group subscription (41,760 minutes).
    static let maxSubscriptionLifetime: TimeInterval = 41_760 * 60
    /// Group subscriptions one app may hold in a tenant (chat message ones are not counted).
    static let subscriptionQuota = 100
    static let subscriptionKinds: Set<SimToken.Kind> = [.app, .user]

    func registerSubscriptions(_ router: Router<BasicRequestContext>) {
        route(router, .post, "/graph/v1.0/subscriptions", "subscriptions.create", kinds: Self.subscriptionKinds) { request, _, token in
            try await createSubscription(request, token)
        }
        route(router, .get, "/graph/v1.0/subscriptions", "subscriptions.list", kinds: Self.subscriptionKinds) { _, _, token in
            let subscriptions = state.store.withLock { store in
                store.graphSubscriptions.values.filter {
                    $0.organization == token.organization && (token.kind != .user || $0.creator == token.userID)
                }
            }
            return SimHTTP.json(["value": .array(subscriptions.sorted { $0.id < $1.id }.map(Self.wire))] as [String: AnyCodable])
        }
        route(router, .get, "/graph/v1.0/subscriptions/:id", "subscriptions.get", kinds: Self.subscriptionKinds) { _, context, token in
            SimHTTP.json(Self.wire(try subscription(context, token)))
        }
        route(router, .patch, "/graph/v1.0/subscriptions/:id", "subscriptions.renew", kinds: Self.subscriptionKinds) { request, context, token in
            var subscription = try subscription(context, token)
            let body = await SimHTTP.jsonBody(request) ?? [:]
            subscription.expiresAt = try expiry(body["expirationDateTime"], for: subscription.target)
            subscription.needsReauthorization = false
            let renewed = subscription
            state.store.withLock { $0.graphSubscriptions[renewed.id] = renewed }
            return SimHTTP.json(Self.wire(renewed))
        }
        route(router, .delete, "/graph/v1.0/subscriptions/:id", "subscriptions.delete", kinds: Self.subscriptionKinds) { _, context, token in
            let id = try subscription(context, token).id
            state.store.withLock { _ = $0.graphSubscriptions.removeValue(forKey: id) }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
        route(router, .post, "/graph/v1.0/subscriptions/:id/reauthorize", "subscriptions.reauthorize", kinds: Self.subscriptionKinds) {
            _, context, token in
            let id = try subscription(context, token).id
            state.store.withLock { $0.graphSubscriptions[id]?.needsReauthorization = false }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
    }

    private func createSubscription(_ request: Request, _ token: SimToken) async throws -> SimReply {
        guard let body = await SimHTTP.jsonBody(request) else { throw SimError.badRequest(code: "BadRequest", message: "Invalid request body.") }
        let changeType = body["changeType"] as? String ?? ""
        guard !changeType.isEmpty, changeType.split(separator: ",").allSatisfy({ ["updated", "deleted", "created"].contains($0) }) else {
            throw SimError.badRequest(code: "InvalidRequest", message: "Invalid 'changeType' attribute: '\(changeType)'.")
        }
        let resource = body["resource"] as? String ?? ""
        guard let target = Self.target(ofResource: resource) else {
            throw SimError.badRequest(code: "InvalidRequest", message: "Resource '\(resource)' is not supported.")
        }
        try Self.permit(target, to: token)
        guard let notificationURL = body["notificationUrl"] as? String, Self.acceptable(notificationURL, state.configuration) else {
            throw SimError.badRequest(code: "InvalidRequest", message: "The notificationUrl must be an https URL.")
        }
        let lifecycleURL = body["lifecycleNotificationUrl"] as? String
        if let lifecycleURL, !Self.acceptable(lifecycleURL, state.configuration) {
            throw SimError.badRequest(code: "InvalidRequest", message: "The lifecycleNotificationUrl must be an https URL.")
        }
        let clientState = body["clientState"] as? String
        if let clientState, clientState.count > 128 {
            throw SimError.badRequest(code: "InvalidRequest", message: "clientState must be at most 128 characters.")
        }
        let expiresAt = try expiry(body["expirationDateTime"], for: target)
        let (known, held) = state.store.withLock { store in
            (
                store.organizations[token.organization].map { Self.exists(target, in: $0) } ?? false,
                store.graphSubscriptions.values.filter { $0.organization == token.organization && $0.groupID != nil }.count
            )
        }
        guard known else {
            let id = target.groupID ?? target.chatUserID ?? ""
            throw SimError.notFound(code: "Request_ResourceNotFound", message: "Resource '\(id)' does not exist.")
        }
        guard target.groupID == nil || held < Self.subscriptionQuota else {
            throw SimError.forbidden(
                code: "ExtensionError", message: "Operation: Create; Exception: [Status Code: Forbidden; Reason: Subscription quota exceeded]")
        }
        let notifier = GraphNotifier(state: state)
        for url in [notificationURL] + (lifecycleURL.map { [$0] } ?? []) {
            guard await notifier.validate(url, organization: token.organization) else {
                throw SimError.badRequest(
                    code: "InvalidRequest",
                    message: "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.")
            }
        }
        let subscription = SimGraphSubscription(
            id: UUID().uuidString.lowercased(), organization: token.organization, target: target, resource: resource, changeType: changeType,
            notificationURL: notificationURL, lifecycleNotificationURL: lifecycleURL, clientState: clientState, expiresAt: expiresAt,
            creator: token.kind == .user ? token.userID : nil)
        state.store.withLock { $0.graphSubscriptions[subscription.id] = subscription }
        return SimHTTP.json(Self.wire(subscription), status: .created)
    }

    private func subscription(_ context: BasicRequestContext, _ token: SimToken) throws -> SimGraphSubscription {
        let id = SimHTTP.param(context, "id") ?? ""
        let now = state.configuration.now()
        guard let found = state.store.withLock({ $0.graphSubscriptions[id] }), found.organization == token.organization, found.expiresAt > now else {
            throw SimError.notFound(code: "ResourceNotFound", message: "The object was not found.")
        }
        guard token.kind != .user || found.creator == token.userID else {
            throw SimError.forbidden(code: "Forbidden", message: "The signed-in user did not create this subscription.")
        }
        return found
    }

    private func expiry(_ value: Any?, for target: SimGraphSubscription.Target) throws -> Date {
        let now = state.configuration.now()
        guard let text = value as? String, let date = Self.parseDate(text), date > now else {
            throw SimError.badRequest(code: "InvalidRequest", message: "Subscription expiration must be in the future.")
        }
        let longest = target.chatUserID == nil ? Self.maxSubscriptionLifetime : Self.maxChatSubscriptionLifetime
        guard date.timeIntervalSince(now) <= longest else {
            throw SimError.badRequest(
                code: "InvalidRequest", message: "Subscription expiration can only be \(Int(longest / 60)) minutes in the future.")
        }
        return date
    }

    static func parseDate(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    /// `/groups/{id}/members` or `/groups/{id}` (leading slash optional, `Groups` any case).
    static func groupID(ofResource resource: String) -> String? {
        let parts = resource.split(separator: "/")
        guard parts.count == 2 || (parts.count == 3 && parts[2] == "members"), parts[0].lowercased() == "groups", !parts[1].isEmpty else {
            return nil
        }
        return String(parts[1])
    }

    /// Graph needs https; the simulator takes http too when it serves tests and the demo.
    static func acceptable(_ url: String, _ configuration: SimulatorConfiguration) -> Bool {
        guard let parsed = URL(string: url), parsed.host != nil else { return false }
        return parsed.scheme == "https" || (parsed.scheme == "http" && configuration.allowHTTPNotificationURLs)
    }

    static func wire(_ subscription: SimGraphSubscription) -> AnyCodable {
        .object([
            "id": .string(subscription.id), "resource": .string(subscription.resource), "changeType": .string(subscription.changeType),
            "notificationUrl": .string(subscription.notificationURL),
            "lifecycleNotificationUrl": subscription.lifecycleNotificationURL.map(AnyCodable.string) ?? .null,
            "clientState": subscription.clientState.map(AnyCodable.string) ?? .null,
            "expirationDateTime": .string(ISO8601DateFormatter().string(from: subscription.expiresAt)),
            "creatorId": subscription.creator.map(AnyCodable.string) ?? .null,
        ])
    }

    /// Tells every live subscription on the group that its members changed, with the
    /// subscription's client state unless `clientState` forges another.
    static func notifyMembershipChanged(state: SimulatorState, organization: String, groupID: String, clientState: String? = nil) {
        let now = state.configuration.now()
        let (subscriptions, tenant) = state.store.withLock { store in
            (
                store.graphSubscriptions.values.filter {
                    $0.organization == organization && $0.groupID == groupID && $0.expiresAt > now && !$0.needsReauthorization
                }, store.organizations[organization]?.credentials.teams.tenantID ?? ""
            )
        }
        let notifier = GraphNotifier(state: state)
        for var subscription in subscriptions {
            if let clientState { subscription.clientState = clientState }
            notifier.deliver(
                GraphNotifier.change(subscription, tenantID: tenant), kind: .change, to: subscription.notificationURL, subscription: subscription)
        }
    }
}
