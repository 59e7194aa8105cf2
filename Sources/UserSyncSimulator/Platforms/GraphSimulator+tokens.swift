import Foundation
import Hummingbird

extension GraphSimulator {
    // MARK: Tokens and consent

    func token(tenant: String, _ fields: [String: String]) throws -> SimReply {
        let clientID = fields["client_id"] ?? ""
        let secret = fields["client_secret"] ?? ""
        let isBot = tenant == "botframework.com"
        let organization = state.organization { organization in
            organization.credentials.teams.clientID == clientID
                && (isBot || organization.credentials.teams.tenantID == tenant || "\(organization.domain)" == tenant)
        }
        guard let organization else {
            if !isBot, state.organization(where: { $0.credentials.teams.tenantID == tenant }) == nil {
                throw SimError.badRequest(code: "invalid_request", message: "AADSTS90002: Tenant '\(tenant)' not found.")
            }
            throw SimError.badRequest(code: "unauthorized_client", message: "AADSTS700016: Application with identifier '\(clientID)' was not found.")
        }
        guard organization.credentials.teams.clientSecret == secret, !organization.revoked.contains(.teams) else {
            throw SimError.unauthorized(.invalid)
        }
        switch fields["grant_type"] {
        case "client_credentials":
            // The Bot Framework tenant issues Bot Connector tokens only; a tenant issues Graph tokens.
            let resource = isBot ? "https://api.botframework.com/.default" : "https://graph.microsoft.com/.default"
            guard fields["scope"] == resource else {
                throw SimError.badRequest(code: "invalid_scope", message: "AADSTS1002012: The provided value for scope is not valid.")
            }
            let lifetime = state.configuration.appTokenLifetime
            let value = state.issueToken(organization: organization.name, platform: .teams, kind: isBot ? .bot : .app, lifetime: lifetime)
            return SimHTTP.json(
                [
                    "token_type": "Bearer", "expires_in": .int(lifetime), "ext_expires_in": .int(lifetime), "access_token": .string(value),
                ] as [String: AnyCodable])
        case "authorization_code":
            switch oauth.redeem(code: fields["code"] ?? "", platform: .teams, clientID: clientID, redirectURI: fields["redirect_uri"]) {
            case .success(let grant):
                return userTokens(oauth.issue(organization: grant.organization, platform: .teams, userID: grant.userID, clientID: clientID), fields)
            case .failure:
                throw SimError.badRequest(
                    code: "invalid_grant", message: "AADSTS70008: The provided authorization code or refresh token has expired or was already used.")
            }
        case "refresh_token":
            guard case .success(let issued) = oauth.refresh(fields["refresh_token"] ?? "", platform: .teams, clientID: clientID, rotate: true) else {
                throw SimError.badRequest(code: "invalid_grant", message: "AADSTS700082: The refresh token has expired or been revoked.")
            }
            return userTokens(issued, fields)
        default:
            throw SimError.badRequest(code: "unsupported_grant_type", message: "AADSTS70003: The app requested an unsupported grant type.")
        }
    }

    private func userTokens(_ issued: SimOAuth.IssuedTokens, _ fields: [String: String]) -> SimReply {
        SimHTTP.json(
            [
                "token_type": "Bearer", "scope": .string(fields["scope"] ?? "User.Read"), "expires_in": .int(issued.expiresIn),
                "ext_expires_in": .int(issued.expiresIn), "access_token": .string(issued.accessToken), "refresh_token": .string(issued.refreshToken),
            ] as [String: AnyCodable])
    }

    func authorization(tenant: String, _ fields: [String: String]) -> SimOAuth.Authorization? {
        let clientID = fields["client_id"] ?? ""
        guard
            let organization = state.organization(where: {
                $0.credentials.teams.clientID == clientID
                    && ($0.credentials.teams.tenantID == tenant || tenant == "common" || tenant == "organizations")
            })
        else { return nil }
        return .init(
            platform: .teams, organization: organization.name, clientID: clientID, redirectURI: fields["redirect_uri"] ?? "",
            state: fields["state"], loginHint: fields["login_hint"])
    }
}
