import Hummingbird

/// The Bot Framework's OpenID metadata and signing keys (served under `/botframework/v1`, as
/// `login.botframework.com` serves them): what a bot verifies the tokens on incoming activities
/// with. The keys are the simulator's one signing key, endorsed for `msteams`.
struct BotFrameworkOpenID: Sendable {
    let http: SimHTTP
    var state: SimulatorState { http.state }

    func register(_ router: Router<BasicRequestContext>) {
        router.get("/botframework/v1/.well-known/openidconfiguration") { request, _ in
            try await http.serve(.teams, "botframework.openid", render: GraphSimulator.renderIdentity) {
                let base = http.baseURL(request)
                return SimHTTP.json(
                    [
                        "issuer": .string(TeamsEvents.issuer), "authorization_endpoint": .string("\(base)/botframework/v1/authorize"),
                        "jwks_uri": .string("\(base)/botframework/v1/.well-known/keys"),
                        "id_token_signing_alg_values_supported": ["RS256"], "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                    ] as [String: AnyCodable])
            }
        }
        router.get("/botframework/v1/.well-known/keys") { _, _ in
            try await http.serve(.teams, "botframework.keys", render: GraphSimulator.renderIdentity) {
                guard case .array(let keys)? = state.signingKey.jwks["keys"] else { return SimHTTP.json(state.signingKey.jwks) }
                let endorsed: [AnyCodable] = keys.map { key in
                    guard case .object(var fields) = key else { return key }
                    fields["endorsements"] = ["msteams"]
                    return .object(fields)
                }
                return SimHTTP.json(["keys": .array(endorsed)] as [String: AnyCodable])
            }
        }
    }
}
