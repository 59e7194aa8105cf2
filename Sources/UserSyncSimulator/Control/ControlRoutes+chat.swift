import Foundation
import Hummingbird
import UserSyncDomain

extension ControlRoutes {
    /// People writing DMs and the events the platforms send about them (docs/relay.md): where
    /// events go, messages written, edited and deleted as a person would in their client, what a
    /// person received, consent tokens, and the log of event deliveries.
    func registerChat(_ control: RouterGroup<BasicRequestContext>) {
        control.put("orgs/:org/platforms/:platform/event-url") { request, context in
            struct Body: Decodable { var url: String? }
            guard let platform = platform(context), let body = await decode(Body.self, request) else {
                return problem("send {\"url\": \"https://…\" or null} to /_sim/orgs/{org}/platforms/slack|teams|zoom|webex/event-url")
            }
            return await setEventURL(request, context, platform, body.url)
        }
        control.delete("orgs/:org/platforms/:platform/event-url") { request, context in
            guard let platform = platform(context) else { return notFound() }
            return await setEventURL(request, context, platform, nil)
        }
        control.post("orgs/:org/platforms/:platform/messages") { request, context in
            guard let platform = platform(context), let body = await decode(SimChatWrite.self, request) else {
                return problem(
                    "send {\"from\": userID, \"to\": userID or \"bot\", \"text\": …, \"thread\"?: messageID, \"files\"?: [{name, url, size}]}")
            }
            return answer(status: .created) { () throws(SimChatWriteError) in
                try simulator.writeMessage(organization: SimHTTP.param(context, "org") ?? "", platform: platform, body)
            }
        }
        control.patch("orgs/:org/platforms/:platform/messages/:id") { request, context in
            struct Body: Decodable { var text: String }
            guard let platform = platform(context), let body = await decode(Body.self, request) else { return problem("send {\"text\": …}") }
            return answer(status: .ok) { () throws(SimChatWriteError) in
                try simulator.editMessage(
                    organization: SimHTTP.param(context, "org") ?? "", platform: platform, id: SimHTTP.param(context, "id") ?? "", text: body.text)
            }
        }
        control.delete("orgs/:org/platforms/:platform/messages/:id") { _, context in
            guard let platform = platform(context) else { return notFound() }
            do throws(SimChatWriteError) {
                try simulator.deleteMessage(
                    organization: SimHTTP.param(context, "org") ?? "", platform: platform, id: SimHTTP.param(context, "id") ?? "")
                return Response(status: .noContent)
            } catch { return refusal(error) }
        }
        control.get("orgs/:org/platforms/:platform/inbox") { request, context in
            guard let platform = platform(context), let user = SimHTTP.query(request)["user"] else { return problem("send ?user={userID or bot}") }
            guard let inbox = simulator.inbox(organization: SimHTTP.param(context, "org") ?? "", platform: platform, user: user) else {
                return notFound()
            }
            return SimHTTP.json(inbox).response
        }
        control.get("orgs/:org/platforms/:platform/chat-messages") { _, context in
            guard let platform = platform(context) else { return notFound() }
            return SimHTTP.json(simulator.chatMessages(organization: SimHTTP.param(context, "org") ?? "", platform: platform)).response
        }
        control.post("orgs/:org/platforms/:platform/users/:id/consent") { _, context in
            guard let platform = platform(context),
                let tokens = simulator.grantUserToken(
                    organization: SimHTTP.param(context, "org") ?? "", platform: platform, userID: SimHTTP.param(context, "id") ?? "")
            else { return notFound() }
            return SimHTTP.json(tokens, status: .created).response
        }
        control.get("orgs/:org/webex/webhooks") { _, context in
            SimHTTP.json(simulator.webexWebhooks(organization: SimHTTP.param(context, "org") ?? "")).response
        }
        control.get("event-deliveries") { request, _ in
            let wanted = SimHTTP.query(request)["platform"]
            return SimHTTP.json(simulator.eventDeliveries().filter { wanted == nil || $0.platform.rawValue == wanted }).response
        }
        control.delete("event-deliveries") { _, _ in
            simulator.clearEventDeliveries()
            return Response(status: .noContent)
        }
    }

    private func platform(_ context: BasicRequestContext) -> Platform? { Platform(rawValue: SimHTTP.param(context, "platform") ?? "") }

    private func setEventURL(_ request: Request, _ context: BasicRequestContext, _ platform: Platform, _ url: String?) async -> Response {
        do throws(SimEventURLError) {
            let taken = try await simulator.setEventURL(
                organization: SimHTTP.param(context, "org") ?? "", platform: platform, url: url,
                simulatorURL: SimHTTP(state: state).baseURL(request))
            guard taken else {
                return SimHTTP.json(
                    ["ignored": true, "detail": "Webex sends events to the webhooks made with POST /webex/v1/webhooks"] as [String: AnyCodable]
                ).response
            }
            return Response(status: .noContent)
        } catch {
            switch error {
            case .unknownOrganization:
                return notFound()
            case .invalidURL:
                return problem("the url must be an absolute http(s) URL")
            case .handshakeFailed(let detail):
                return SimHTTP.json(["error": "handshake_failed", "detail": .string(detail)] as [String: AnyCodable], status: .unprocessableContent)
                    .response
            }
        }
    }

    private func answer(status: HTTPResponse.Status, _ body: () throws(SimChatWriteError) -> SimWrittenMessage) -> Response {
        do throws(SimChatWriteError) { return SimHTTP.json(try body(), status: status).response } catch { return refusal(error) }
    }

    private func refusal(_ error: SimChatWriteError) -> Response {
        switch error {
        case .unknownOrganization:
            return notFound()
        case .notFound(let detail):
            return SimHTTP.json(["error": "not_found", "detail": .string(detail)] as [String: AnyCodable], status: .notFound).response
        case .refused(let detail):
            return SimHTTP.json(["error": "refused", "detail": .string(detail)] as [String: AnyCodable], status: .unprocessableContent).response
        }
    }
}
