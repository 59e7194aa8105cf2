import Foundation
import HTTPTypes
import Hummingbird
import UserSyncDomain

/// Slack's Web API as platform-apis.md §1 describes it: RPC methods under `/api`, `ok:false`
/// errors with HTTP 200, 429 with `Retry-After`, cursor pagination, OAuth v2.
struct SlackSimulator: Sendable {
    let http: SimHTTP
    let oauth: SimOAuth
    let openID: SlackOpenID
    var state: SimulatorState { http.state }

    func register(_ router: Router<BasicRequestContext>) {
        router.get("/slack/api/:method") { request, context in try await handle(request, context) }
        router.post("/slack/api/:method") { request, context in try await handle(request, context) }
        openID.register(router)
        oauth.register(router, "/slack/oauth/v2/authorize", requireCodeResponse: false) { fields, _ in
            let clientID = fields["client_id"] ?? ""
            guard let organization = state.organization(where: { $0.credentials.slack.clientID == clientID }) else { return nil }
            return .init(
                platform: .slack, organization: organization.name, clientID: clientID, redirectURI: fields["redirect_uri"] ?? "",
                state: fields["state"], loginHint: fields["login_hint"])
        }
    }

    static func render(_ error: SimError) -> SimReply {
        func body(_ code: String) -> [String: AnyCodable] { ["ok": false, "error": .string(code)] }
        switch error {
        case .rateLimited(let retryAfter):
            return SimHTTP.json(body("ratelimited"), status: .tooManyRequests, headers: SimHTTP.retryAfterHeaders(retryAfter))
        case .unavailable(let status):
            return SimHTTP.json(body(status == 503 ? "service_unavailable" : "fatal_error"), status: .init(code: status))
        case .unauthorized(let failure):
            let code =
                switch failure {
                case .missing: "not_authed"
                case .invalid: "invalid_auth"
                case .expired: "token_expired"
                case .revoked: "token_revoked"
                }
            return SimHTTP.json(body(code))
        case .forbidden(let code, _), .notFound(let code, _), .badRequest(let code, _), .conflict(let code, _):
            return SimHTTP.json(body(code))
        }
    }

    private func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let method = SimHTTP.param(context, "method") ?? ""
        let fields = await SimHTTP.fields(request)
        return try await http.serve(.slack, method, render: Self.render) {
            switch method {
            case "auth.test": try authTest(request, fields)
            case "users.list": try usersList(request, fields)
            case "users.info": try usersInfo(request, fields)
            case "usergroups.list": try usergroupsList(request, fields)
            case "usergroups.users.list": try usergroupUsers(request, fields)
            case "conversations.open": try conversationsOpen(request, fields)
            case "conversations.members": try conversationsMembers(request, fields)
            case "conversations.history": try conversationsHistory(request, fields)
            case "chat.postMessage": try postMessage(request, fields)
            case "chat.update": try updateMessage(request, fields)
            case "chat.delete": try deleteMessage(request, fields)
            case "oauth.v2.access": try oauthAccess(request, fields)
            case "auth.revoke": try authRevoke(request, fields)
            case "openid.connect.token": try await openID.token(request, fields)
            case "openid.connect.userInfo": try openID.userInfo(request, fields)
            default: throw SimError.notFound(code: "unknown_method", message: method)
            }
        }
    }

    func token(_ request: Request, _ fields: [String: String], kinds: Set<SimToken.Kind> = [.app]) throws -> SimToken {
        switch state.authenticate(SimHTTP.bearer(request) ?? fields["token"], platform: .slack, kinds: kinds) {
        case .success(let token): return token
        case .failure(let failure): throw SimError.unauthorized(failure)
        }
    }

    func organization(_ token: SimToken) throws -> SimOrganization {
        guard let organization = state.store.withLock({ $0.organizations[token.organization] }) else {
            throw SimError.unauthorized(.revoked)
        }
        return organization
    }

    private func authTest(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields, kinds: [.app, .user])
        let slack = try organization(token).credentials.slack
        return SimHTTP.json(
            [
                "ok": true, "url": .string("https://\(token.organization).slack.com/"), "team": .string(slack.teamName),
                "team_id": .string(slack.teamID), "user_id": .string(token.userID ?? SlackEvents.botUserID),
                "user": .string(token.userID == nil ? "usersync" : "user"),
            ] as [String: AnyCodable])
    }

    private func usersList(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields)
        let directory = state.store.withLock { $0.organizations[token.organization]?.directory(.slack) } ?? SimPlatformDirectory()
        guard let limitText = fields["limit"], let requested = Int(limitText), requested > 0 else {
            if directory.accounts.count > 1000 { throw SimError.badRequest(code: "limit_required", message: "") }
            return page(directory, offset: 0, limit: directory.accounts.count, pageNumber: 0, organization: token.organization)
        }
        var offset = 0
        var pageNumber = 0
        if let cursor = fields["cursor"], !cursor.isEmpty {
            do {
                let position = try state.cursors.decode(cursor, organization: token.organization, listing: "slack.users")
                offset = position.offset
                pageNumber = position.flag
            } catch {
                throw SimError.badRequest(code: "invalid_cursor", message: "")
            }
        }
        // Slack may answer with fewer members than asked even when more remain.
        let limit = min(requested, 1000) - (pageNumber % 4 == 3 && requested > 1 ? 1 : 0)
        return page(directory, offset: offset, limit: limit, pageNumber: pageNumber, organization: token.organization)
    }

    private func page(_ directory: SimPlatformDirectory, offset: Int, limit: Int, pageNumber: Int, organization: String) -> SimReply {
        let (accounts, next) = directory.page(from: offset, limit: limit)
        let members = accounts.map(Self.wire)
        let cursor = next.map {
            state.cursors.encode(.init(organization: organization, listing: "slack.users", offset: $0, flag: pageNumber + 1))
        }
        return SimHTTP.json(
            SlackUsersPage(
                ok: true, cache_ts: Int(Date().timeIntervalSince1970), members: members,
                response_metadata: .init(next_cursor: cursor ?? "")))
    }

    static func wire(_ account: SimAccount) -> SlackWireUser {
        let isBot = account.bot
        return SlackWireUser(
            id: account.id, team_id: nil, name: account.displayName.lowercased().replacingOccurrences(of: " ", with: "."),
            deleted: !account.active, real_name: account.displayName, is_admin: account.isAdmin || account.isOwner,
            is_owner: account.isOwner || account.isPrimaryOwner, is_primary_owner: account.isPrimaryOwner,
            is_restricted: account.guest, is_ultra_restricted: false, is_invited_user: account.pending, is_bot: isBot, is_app_user: false,
            updated: 1_731_390_000,
            profile: .init(
                real_name: account.displayName, display_name: isBot ? "" : account.firstName.lowercased(),
                first_name: account.firstName.isEmpty ? nil : account.firstName,
                last_name: account.lastName.isEmpty ? nil : account.lastName,
                email: account.primaryEmail, bot_id: isBot ? "B" + account.id.dropFirst() : nil))
    }

    private func usergroupsList(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields)
        let organization = try organization(token)
        let directory = organization.directory(.slack)
        let groups = directory.teams.map { team in
            SlackWireUsergroup(
                id: team.id, team_id: organization.credentials.slack.teamID, is_usergroup: true, name: team.name,
                handle: team.name.lowercased().replacingOccurrences(of: " ", with: "-"), description: team.description,
                date_delete: 0, user_count: fields["include_count"] == "true" ? String(team.members.count) : nil)
        }
        return SimHTTP.json(SlackUsergroups(ok: true, usergroups: groups))
    }

    private func usergroupUsers(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields)
        let directory = try organization(token).directory(.slack)
        guard let id = fields["usergroup"], let index = directory.teamIndex[id] else {
            throw SimError.notFound(code: "no_such_subteam", message: "")
        }
        let users = directory.teams[index].members.map { directory.accounts[$0] }.filter { !$0.removed }.map(\.id)
        return SimHTTP.json(["ok": true, "users": .array(users.map(AnyCodable.string))] as [String: AnyCodable])
    }

    private func client(_ request: Request, _ fields: [String: String]) throws -> SimOrganization {
        let (id, secret) = SimHTTP.basic(request) ?? (fields["client_id"] ?? "", fields["client_secret"] ?? "")
        guard let organization = state.organization(where: { $0.credentials.slack.clientID == id }) else {
            throw SimError.badRequest(code: "invalid_client_id", message: "")
        }
        guard organization.credentials.slack.clientSecret == secret, !organization.revoked.contains(.slack) else {
            throw SimError.badRequest(code: "bad_client_secret", message: "")
        }
        return organization
    }

    private func oauthAccess(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let organization = try client(request, fields)
        let clientID = organization.credentials.slack.clientID
        let issued: SimOAuth.IssuedTokens
        if fields["grant_type"] == "refresh_token" {
            guard case .success(let tokens) = oauth.refresh(fields["refresh_token"] ?? "", platform: .slack, clientID: clientID, rotate: true)
            else { throw SimError.badRequest(code: "invalid_refresh_token", message: "") }
            issued = tokens
        } else {
            switch oauth.redeem(code: fields["code"] ?? "", platform: .slack, clientID: clientID, redirectURI: fields["redirect_uri"]) {
            case .success(let grant):
                issued = oauth.issue(organization: grant.organization, platform: .slack, userID: grant.userID, clientID: clientID)
            case .failure(.invalidClient): throw SimError.badRequest(code: "invalid_client_id", message: "")
            case .failure: throw SimError.badRequest(code: "invalid_code", message: "")
            }
        }
        let slack = organization.credentials.slack
        return SimHTTP.json(
            [
                "ok": true, "app_id": .string(SlackEvents.appID),
                "authed_user": .object([
                    "id": .string(issued.userID), "scope": "chat:write,im:write,users:read", "access_token": .string(issued.accessToken),
                    "token_type": "user", "refresh_token": .string(issued.refreshToken), "expires_in": .int(issued.expiresIn),
                ]),
                "team": .object(["id": .string(slack.teamID), "name": .string(slack.teamName)]),
            ] as [String: AnyCodable])
    }

    private func authRevoke(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let value = SimHTTP.bearer(request) ?? fields["token"]
        guard let value, oauth.revoke(accessToken: value) else { throw SimError.unauthorized(.invalid) }
        return SimHTTP.json(["ok": true, "revoked": true] as [String: AnyCodable])
    }

}

struct SlackUsersPage: Encodable {
    struct Metadata: Encodable { var next_cursor: String }
    var ok: Bool
    var cache_ts: Int
    var members: [SlackWireUser]
    var response_metadata: Metadata
}

struct SlackWireUser: Encodable {
    struct Profile: Encodable {
        var real_name: String
        var display_name: String
        var first_name: String?
        var last_name: String?
        var email: String?
        var bot_id: String?
    }

    var id: String
    var team_id: String?
    var name: String
    var deleted: Bool
    var real_name: String
    var is_admin: Bool
    var is_owner: Bool
    var is_primary_owner: Bool
    var is_restricted: Bool
    var is_ultra_restricted: Bool
    var is_invited_user: Bool
    var is_bot: Bool
    var is_app_user: Bool
    var updated: Int
    var profile: Profile
}

struct SlackWireUsergroup: Encodable {
    var id: String
    var team_id: String
    var is_usergroup: Bool
    var name: String
    var handle: String
    var description: String
    var date_delete: Int
    var user_count: String?
}

struct SlackUsergroups: Encodable {
    var ok: Bool
    var usergroups: [SlackWireUsergroup]
}

/// The first http(s) URL in a text, a block list or a card. It reads bytes: every prompt of a bulk
/// sync passes through here, and Foundation's search was nearly half of what a post cost the
/// benchmark's simulator.
func firstLink(in text: String) -> String? {
    let utf8 = text.utf8
    var from = utf8.startIndex
    while let start = utf8[from...].firstIndex(of: UInt8(ascii: "h")) {
        let rest = utf8[start...]
        if rest.starts(with: "http://".utf8) || rest.starts(with: "https://".utf8) {
            let end = rest.firstIndex { " \"')<>|\n]".utf8.contains($0) } ?? utf8.endIndex
            return String(text[start..<end])
        }
        from = utf8.index(after: start)
    }
    return nil
}
