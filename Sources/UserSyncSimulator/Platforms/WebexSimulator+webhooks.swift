import Foundation
import Hummingbird

/// Webex webhooks (platform-apis.md §4.6): `POST /webhooks` registers a target URL and secret for
/// the token's owner (the bot, or a person), `GET /webhooks[/{id}]` and `DELETE /webhooks/{id}`.
/// Message events of the owner's rooms are then sent there (``WebexEvents``).
extension WebexSimulator {
    func registerWebhooks(_ router: Router<BasicRequestContext>) {
        let owners: Set<SimToken.Kind> = [.bot, .user]
        route(router, .post, "/webex/v1/webhooks", "webhooks", kinds: owners) { request, _, token in
            let body = await SimHTTP.jsonBody(request) ?? [:]
            let fields = ["name", "targetUrl", "resource", "event"].map { body[$0] as? String ?? "" }
            guard !fields.contains(where: \.isEmpty) else {
                throw SimError.badRequest(code: "400", message: "name, targetUrl, resource and event are required.")
            }
            guard let url = URL(string: fields[1]), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw SimError.badRequest(code: "400", message: "targetUrl must be an http(s) URL.")
            }
            let webhook = SimWebexWebhook(
                id: SimChat.webexID("WEBHOOK", UUID().uuidString.lowercased()), owner: member(token), name: fields[0], targetURL: fields[1],
                resource: fields[2], event: fields[3], filter: body["filter"] as? String, secret: body["secret"] as? String,
                created: state.configuration.now())
            _ = state.withOrganization(token.organization) { $0.chat.webhooks.append(webhook) }
            return SimHTTP.json(try wire(webhook, token))
        }
        route(router, .get, "/webex/v1/webhooks", "webhooks.list", kinds: owners) { _, _, token in
            let mine = state.store.withLock { $0.organizations[token.organization]?.chat.webhooks ?? [] }.filter { $0.owner == member(token) }
            return SimHTTP.json(["items": .array(try mine.map { .object(try wire($0, token)) })] as [String: AnyCodable])
        }
        route(router, .get, "/webex/v1/webhooks/:id", "webhooks.get", kinds: owners) { _, context, token in
            SimHTTP.json(try wire(try ownWebhook(context, token), token))
        }
        route(router, .delete, "/webex/v1/webhooks/:id", "webhooks.delete", kinds: owners) { _, context, token in
            let id = try ownWebhook(context, token).id
            _ = state.withOrganization(token.organization) { $0.chat.webhooks.removeAll { $0.id == id } }
            return SimReply(status: .noContent, headers: [:], body: .init())
        }
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
            "status": "active", "created": .string(SimChatEvents.iso(webhook.created)),
        ]
    }
}
