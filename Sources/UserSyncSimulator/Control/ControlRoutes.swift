import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

/// The simulator-only control API under `/_sim`: create organizations, inject faults, revoke
/// credentials, change users, and inspect what the connectors did.
struct ControlRoutes: Sendable {
    let simulator: PlatformSimulator
    var state: SimulatorState { simulator.state }

    func register(_ router: Router<BasicRequestContext>) {
        let control = router.group("/_sim")
        control.get("health") { _, _ in SimHTTP.json(["status": "ok"] as [String: AnyCodable]).response }
        control.get("orgs") { _, _ in
            let names = state.store.withLock { Array($0.organizations.keys).sorted() }
            return SimHTTP.json(names.compactMap(state.summary)).response
        }
        control.post("orgs") { request, _ in
            struct Body: Decodable {
                var name: String
                var seed: UInt64?
                var size: Int?
            }
            guard let body = await decode(Body.self, request), !body.name.isEmpty, (0...1_000_000).contains(body.size ?? 100) else {
                return problem("send {\"name\": …, \"seed\": …, \"size\": 0…1000000}")
            }
            return SimHTTP.json(simulator.createOrganization(name: body.name, seed: body.seed ?? 1, size: body.size ?? 100), status: .created)
                .response
        }
        control.get("orgs/:org") { _, context in
            guard let summary = state.summary(SimHTTP.param(context, "org") ?? "") else { return notFound() }
            return SimHTTP.json(summary).response
        }
        control.delete("orgs/:org") { _, context in
            let name = SimHTTP.param(context, "org") ?? ""
            state.store.withLock { $0.organizations[name] = nil }
            return Response(status: .noContent)
        }
        control.get("orgs/:org/usersync-connections/:platform") { request, context in
            guard let summary = state.summary(SimHTTP.param(context, "org") ?? ""),
                let platform = Platform(rawValue: SimHTTP.param(context, "platform") ?? "")
            else { return notFound() }
            return SimHTTP.json(summary.usersyncConnection(platform, base: SimHTTP(state: state).baseURL(request))).response
        }
        control.get("orgs/:org/people") { request, context in
            let query = SimHTTP.query(request)
            guard
                let people = simulator.people(
                    organization: SimHTTP.param(context, "org") ?? "", offset: Int(query["offset"] ?? "0") ?? 0,
                    limit: Int(query["limit"] ?? "100") ?? 100)
            else { return notFound() }
            return SimHTTP.json(people).response
        }
        control.get("orgs/:org/messages") { request, context in
            let query = SimHTTP.query(request)
            let messages = simulator.messages(organization: SimHTTP.param(context, "org") ?? "").filter { message in
                (query["platform"] == nil || query["platform"] == message.platform.rawValue) && (query["to"] == nil || query["to"] == message.to)
            }
            return SimHTTP.json(messages).response
        }
        control.get("orgs/:org/invitations") { _, context in
            SimHTTP.json(simulator.invitations(organization: SimHTTP.param(context, "org") ?? "")).response
        }
        control.get("orgs/:org/tokens") { _, context in
            SimHTTP.json(simulator.tokens(organization: SimHTTP.param(context, "org") ?? "")).response
        }
        control.post("orgs/:org/revoke") { request, context in
            struct Body: Decodable {
                var platform: Platform
                var userID: String?
            }
            guard let body = await decode(Body.self, request) else { return problem("send {\"platform\": …, \"userID\": optional}") }
            guard simulator.revoke(organization: SimHTTP.param(context, "org") ?? "", platform: body.platform, userID: body.userID) else {
                return notFound()
            }
            return Response(status: .noContent)
        }
        control.post("orgs/:org/restore") { request, context in
            struct Body: Decodable { var platform: Platform }
            guard let body = await decode(Body.self, request) else { return problem("send {\"platform\": …}") }
            _ = state.withOrganization(SimHTTP.param(context, "org") ?? "") { $0.revoked.remove(body.platform) }
            return Response(status: .noContent)
        }
        control.post("orgs/:org/platforms/:platform/users") { request, context in
            guard let platform = Platform(rawValue: SimHTTP.param(context, "platform") ?? ""),
                let body = await decode(SimUserChange.self, request), let email = body.email
            else { return problem("send {\"email\": …, \"displayName\": …}") }
            guard
                let id = simulator.addUser(
                    organization: SimHTTP.param(context, "org") ?? "", platform: platform, email: email, displayName: body.displayName)
            else { return notFound() }
            return SimHTTP.json(["id": .string(id)] as [String: AnyCodable], status: .created).response
        }
        control.patch("orgs/:org/platforms/:platform/users/:id") { request, context in
            guard let platform = Platform(rawValue: SimHTTP.param(context, "platform") ?? ""),
                let body = await decode(SimUserChange.self, request)
            else { return problem("send {\"email\"?, \"displayName\"?, \"active\"?}") }
            let changed = simulator.changeUser(
                organization: SimHTTP.param(context, "org") ?? "", platform: platform, id: SimHTTP.param(context, "id") ?? "", body)
            return changed ? Response(status: .noContent) : notFound()
        }
        control.delete("orgs/:org/platforms/:platform/users/:id") { _, context in
            guard let platform = Platform(rawValue: SimHTTP.param(context, "platform") ?? "") else { return notFound() }
            var change = SimUserChange()
            change.removed = true
            let changed = simulator.changeUser(
                organization: SimHTTP.param(context, "org") ?? "", platform: platform, id: SimHTTP.param(context, "id") ?? "", change)
            return changed ? Response(status: .noContent) : notFound()
        }
        control.get("calls") { _, _ in SimHTTP.json(simulator.calls()).response }
        control.delete("calls") { _, _ in
            state.store.withLock { $0.calls = [:] }
            return Response(status: .noContent)
        }
        control.get("faults") { _, _ in SimHTTP.json(state.store.withLock { $0.faults }).response }
        control.post("faults") { request, _ in
            guard let rule = await decode(FaultRule.self, request) else {
                return problem(
                    "send a fault rule: {\"platform\"?, \"endpoint\"?, \"kind\": rate_limit|server_error|latency|revoked_token|malformed|truncated, \"every\"?, \"probability\"?, \"times\"?, \"retryAfter\"?, \"status\"?, \"latencyMs\"?}"
                )
            }
            return SimHTTP.json(simulator.addFault(rule), status: .created).response
        }
        control.delete("faults") { _, _ in
            simulator.clearFaults()
            return Response(status: .noContent)
        }
        control.delete("faults/:id") { _, context in
            let id = SimHTTP.param(context, "id")
            state.store.withLock { $0.faults.removeAll { $0.id == id } }
            return Response(status: .noContent)
        }
        control.put("oauth") { request, _ in
            struct Body: Decodable {
                var decision: OAuthDecision?
                var login: String?
            }
            guard let body = await decode(Body.self, request) else { return problem("send {\"decision\": allow|deny|null, \"login\"?}") }
            simulator.setAutoApprove(body.decision, login: body.login)
            return Response(status: .noContent)
        }
        registerSignIn(control)
        registerGroups(control)
        registerChat(control)
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async -> T? {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: 1 << 20) else { return nil }
        return try? JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    func problem(_ detail: String) -> Response {
        SimHTTP.json(["error": "bad_request", "detail": .string(detail)] as [String: AnyCodable], status: .badRequest).response
    }

    func notFound() -> Response {
        SimHTTP.json(["error": "not_found"] as [String: AnyCodable], status: .notFound).response
    }
}

public struct SimUserChange: Sendable, Codable {
    public var email: String?
    public var displayName: String?
    public var active: Bool?
    public var removed: Bool?

    public init(email: String? = nil, displayName: String? = nil, active: Bool? = nil, removed: Bool? = nil) {
        self.email = email
        self.displayName = displayName
        self.active = active
        self.removed = removed
    }
}
