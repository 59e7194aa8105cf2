import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Graph's side of change notifications (platform-apis.md §2.7): the validation handshake a new
/// subscription's URLs must pass, and the delivery of change and lifecycle notifications, retried
/// while the endpoint does not answer 2xx in time. Every request is logged in the state.
struct GraphNotifier: Sendable {
    let state: SimulatorState

    /// Graph waits this long for a validation answer, and about this long for a notification's.
    static let validationTimeout: TimeAmount = .seconds(10)
    static let deliveryTimeout: TimeAmount = .seconds(3)
    /// Delays before each redelivery (Graph keeps trying for hours; tests need seconds).
    static let redeliveryDelays: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)]

    /// POSTs `url?validationToken=…` as `text/plain`; true when the answer is 200 with the decoded
    /// token as a `text/plain` body.
    func validate(_ url: String, organization: String) async -> Bool {
        let token = "Validation: Testing client application reachability for subscription Request-Id: \(UUID().uuidString.lowercased())"
        let separator = url.contains("?") ? "&" : "?"
        var request = HTTPClientRequest(url: url + separator + "validationToken=" + SimHTTP.escape(token))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        var status: Int?
        var passed = false
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: Self.validationTimeout)
            let body = try await response.body.collect(upTo: 64 * 1024)
            status = Int(response.status.code)
            let type = response.headers.first(name: "Content-Type") ?? ""
            passed = response.status == .ok && type.lowercased().hasPrefix("text/plain") && String(buffer: body) == token
        } catch {}
        log(.init(organization: organization, subscriptionID: nil, kind: .validation, url: url, status: status, attempt: 1))
        return passed
    }

    /// Sends `{"value": [notification]}` to `url` in the background, redelivering until a 2xx.
    func deliver(_ notification: [String: AnyCodable], kind: SimGraphNotification.Kind, to url: String, subscription: SimGraphSubscription) {
        let body = (try? JSONEncoder().encode(["value": [notification]])) ?? Data()
        Task {
            for attempt in 1...(Self.redeliveryDelays.count + 1) {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
                var status: Int?
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: Self.deliveryTimeout)
                    _ = try await response.body.collect(upTo: 64 * 1024)
                    status = Int(response.status.code)
                } catch {}
                log(
                    .init(
                        organization: subscription.organization, subscriptionID: subscription.id, kind: kind, url: url, status: status,
                        attempt: attempt))
                if let status, (200..<300).contains(status) { return }
                guard attempt <= Self.redeliveryDelays.count else { return }
                try? await Task.sleep(for: Self.redeliveryDelays[attempt - 1])
            }
        }
    }

    /// A change notification for a group whose members changed, as Graph shapes it.
    static func change(_ subscription: SimGraphSubscription, tenantID: String) -> [String: AnyCodable] {
        let group = subscription.groupID ?? ""
        return change(
            subscription, "updated", resource: "Groups/\(group)", type: "#Microsoft.Graph.Group", id: group, tenantID: tenantID)
    }

    /// A change notification for a chat message created, updated or deleted, as Graph shapes it
    /// for `/users/{id}/chats/getAllMessages`.
    static func chatMessage(_ subscription: SimGraphSubscription, _ change: String, chatID: String, messageID: String, tenantID: String)
        -> [String: AnyCodable]
    {
        Self.change(
            subscription, change, resource: "chats('\(chatID)')/messages('\(messageID)')", type: "#Microsoft.Graph.chatMessage",
            id: messageID, tenantID: tenantID)
    }

    private static func change(
        _ subscription: SimGraphSubscription, _ change: String, resource: String, type: String, id: String, tenantID: String
    ) -> [String: AnyCodable] {
        [
            "subscriptionId": .string(subscription.id),
            "subscriptionExpirationDateTime": .string(ISO8601DateFormatter().string(from: subscription.expiresAt)),
            "clientState": subscription.clientState.map(AnyCodable.string) ?? .null,
            "changeType": .string(change),
            "resource": .string(resource),
            "tenantId": .string(tenantID),
            "resourceData": .object(["@odata.type": .string(type), "@odata.id": .string(resource), "id": .string(id)]),
        ]
    }

    /// A lifecycle notification (`reauthorizationRequired`, `subscriptionRemoved`, `missed`).
    static func lifecycle(_ event: String, _ subscription: SimGraphSubscription, tenantID: String) -> [String: AnyCodable] {
        [
            "subscriptionId": .string(subscription.id),
            "subscriptionExpirationDateTime": .string(ISO8601DateFormatter().string(from: subscription.expiresAt)),
            "clientState": subscription.clientState.map(AnyCodable.string) ?? .null,
            "lifecycleEvent": .string(event),
            "resource": .string(subscription.resource),
            "tenantId": .string(tenantID),
        ]
    }

    private func log(_ entry: SimGraphNotification) {
        state.store.withLock { $0.graphNotifications.append(entry) }
    }
}
