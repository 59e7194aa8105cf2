import Hummingbird
import UserSyncDomain

extension ControlRoutes {
    /// Who is an admin, and faulty id_tokens: what tests of signing in need to set up.
    func registerSignIn(_ control: RouterGroup<BasicRequestContext>) {
        control.put("orgs/:org/platforms/:platform/users/:id/admin") { request, context in
            struct Body: Decodable { var admin: Bool }
            guard let platform = Platform(rawValue: SimHTTP.param(context, "platform") ?? ""),
                let body = await decode(Body.self, request)
            else { return problem("send {\"admin\": true|false} to /_sim/orgs/{org}/platforms/slack|teams/users/{id}/admin") }
            let changed = simulator.setAdmin(
                organization: SimHTTP.param(context, "org") ?? "", platform: platform, id: SimHTTP.param(context, "id") ?? "",
                admin: body.admin)
            return changed ? Response(status: .noContent) : notFound()
        }
        control.post("openid/tamper") { request, _ in
            struct Body: Decodable { var fault: IDTokenFault }
            guard let body = await decode(Body.self, request) else {
                let kinds = IDTokenFault.allCases.map(\.rawValue).joined(separator: "|")
                return problem("send {\"fault\": \(kinds)}")
            }
            simulator.tamperNextIDToken(body.fault)
            return Response(status: .noContent)
        }
        control.delete("openid/tamper") { _, _ in
            state.store.withLock { $0.nextIDTokenFault = nil }
            return Response(status: .noContent)
        }
    }
}
