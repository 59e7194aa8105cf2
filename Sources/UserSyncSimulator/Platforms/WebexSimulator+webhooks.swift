import Foundation
import Hummingbird

/// Webex webhooks (platform-apis.md §4.6): `POST /webhooks` registers a target URL and secret for
/// the token's owner (the bot, or a person); `GET /webhooks[/{id}]`, `PUT /webhooks/{id}` (name,
/// target URL, secret, `status` `active`|`inactive`) and `DELETE /webhooks/{id}`.
/// Message events of the owner's rooms are then sent there (``WebexEvents``).
extension WebexSimulator {
    func registerWebhooks(_ router: Router<BasicRequestContext>) {
        let owners: Set<SimToken.Kind> = [.bot, .user]
        route(router, .post, "/webex/v1/webhooks", "webhooks.create", kinds: owners) { request, _, token in
            let body = await SimHTTP.jsonBody(request) ?? [:]
            let fields = ["name", "targetUrl", "resource", "event"].map { body[$0] as? String ?? "" }
            guard !fields.contains(where: \.isEmpty) else {
                throw SimError.badRequest(code: "400", message: "name, targetUrl, resource and event are required.")
            }
            guard Self.acceptable(fields[1]) else { throw SimError.badRequest(code: "400", message: "targetUrl must be an http(s) URL.") }
            let webhook = SimWebexWebhook(
                id: SimChat.webexID("WEBHOOK", UUID().uuidString.lowercased()), owner: member(token), name: fields[0], targetURL: fields[1],
                resource: fields[2], event: fields[3], filter: body["filter"] as? String, secret: body["secret"] as? String, status: "active",
                created: state.configuration.now())
            _ = state.withOrganization(token.organization) { $0.chat.webhooks.append(webhook) }
            return SimHTTP.json(try wire(webhook, token))
        }
        route(router, .get, "/webex/v1/webhooks", "webhooks", kinds: owners) { _, _, token in
            let mine = state.store.withLock { $0.organizations[token.organization]?.chat.webhooks ?? [] }.filter { $0.owner == member(token) }
            return SimHTTP.json(["items": .array(try mine.map { .object(try wire($0, token)) })] as [String: AnyCodable])
        }
        route(router, .get, "/webex/v1/webhooks/:id", "webhooks.get", kinds: owners) { _, context, token in
            SimHTTP.json(try wire(try ownWebhook(context, token), token))
        }
        route(router, .put, "/webex/v1/webhooks/:id", "webhooks.update", kinds: owners) { request, context, token in
            var webhook = try ownWebhook(context, token)
            let body = await SimHTTP.jsonBody(request) ?? [:]
            guard let name = body["name"] as? String, let target = body["targetUrl"] as? String, !name.isEmpty, Self.acceptable(target) else {
                throw SimError.badRequest(code: "400", message: "name and an http(s) targetUrl are required.")
            }
            let status = body["status"] as? String ?? webhook.status
            guard ["active", "inactive"].contains(status) else { throw SimError.badRequest(code: "400", message: "status is active or inactive.") }
            (webhook.name, webhook.targetURL, webhook.status) = (name, target, status)
            if let secret = body["secret"] as? String { webhook.secret = secret }
            let updated = webhook
            _ = state.withOrganization(token.organization) { organization in
                if let index = organization.chat.webhooks.firstIndex(where: { $0.id == updated.id }) { organization.chat.webhooks[index] = updated }
            }
            return SimHTTP.json(try wire(updated, token))
        }
        route(router, .delete, "/webex/v1/webhooks/:id", "webhooks.delete", kinds: owners) { _, context, token in
            let id = try ownWebhook(context, token).id
            _ = state.withOrganization(token.organization) { $0.chat.webhooks.removeAll { $0.id == id } }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
    }

    private static func acceptable(_ target: String) -> Bool {
        guard let url = URL(string: target) else { return false }
        return ["http", "https"].contains(url.scheme ?? "") && url.host != nil
    }

    private func ownWebhook(_ context: BasicRequestContext, _ token: SimToken) throws -> SimWebexWebhook {
        let id = SimHTTP.param(context, "id") ?? ""
        let found = state.store.withLock { $0.organizations[token.organization]?.chat.webhooks.first { $0.id == id } }
        guard let found, found.owner == member(token) else { throw SimError.notFound(code: "404", message: "Webhook not found.") }
        return found
    }

    private func wire(_ webhook: SimWebexWebhook, _ token: SimToken) throws -> [String: AnyCodable] {
        [
            "id": .string(webhook.id), "name": .string(webhook.name), "targetUrl": .string(webhook.targetURL),
            "resource": .string(webhook.resource), "event": .string(webhook.event), "filter": .optional(webhook.filter),
            "secret": .optional(webhook.secret), "orgId": .string(try organization(token).credentials.webex.orgID),
            "createdBy": .string(WebexEvents.personID(webhook.owner)), "appId": .string(WebexEvents.appID), "ownedBy": "creator",
            "status": .string(webhook.status), "created": .string(SimChatEvents.iso(webhook.created)),
        ]
    }
}
