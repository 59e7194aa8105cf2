import Foundation
import Hummingbird

extension GraphSimulator {
    // MARK: Bot messages

    private static func appID(fromFilter filter: String?) -> String? {
        guard let filter, let open = filter.firstIndex(of: "'"), let close = filter.lastIndex(of: "'"), open < close else { return nil }
        return String(filter[filter.index(after: open)..<close])
    }

    private func knownUser(_ context: BasicRequestContext, _ token: SimToken) throws -> (id: String, appID: String) {
        let id = SimHTTP.param(context, "id") ?? ""
        let found = state.store.withLock { store -> String? in
            guard let organization = store.organizations[token.organization], organization.directory(.teams).account(id) != nil else { return nil }
            return organization.credentials.teams.teamsAppID
        }
        guard let appID = found else { throw SimError.notFound(code: "NotFound", message: "User '\(id)' was not found.") }
        return (id, appID)
    }

    func installedApps(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let (userID, appID) = try knownUser(context, token)
        let wanted = Self.appID(fromFilter: SimHTTP.query(request)["$filter"])
        let installation = state.store.withLock { $0.organizations[token.organization]?.installations[userID] }
        let value: [AnyCodable] =
            installation.flatMap { id in
                wanted == nil || wanted == appID
                    ? [
                        .object([
                            "id": .string(id),
                            "teamsApp": .object(["id": .string(appID), "displayName": "UserSync", "distributionMethod": "organization"]),
                        ])
                    ] : nil
            } ?? []
        return SimHTTP.json(GraphPage(context: "users('\(userID)')/teamwork/installedApps", value: value, nextLink: nil))
    }

    func install(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) async throws -> SimReply {
        let (userID, appID) = try knownUser(context, token)
        guard let bind = await SimHTTP.jsonBody(request)?["teamsApp@odata.bind"] as? String, bind.hasSuffix("/teamsApps/\(appID)") else {
            throw SimError.notFound(code: "NotFound", message: "The app is not in the organization's catalog.")
        }
        let installed =
            state.withOrganization(token.organization) { organization -> Bool in
                if organization.installations[userID] != nil { return false }
                organization.installations[userID] = "inst-" + String(stableHash(userID + appID), radix: 16)
                return true
            } ?? false
        guard installed else { throw SimError.conflict(code: "Conflict", message: "The app is already installed for the user.") }
        return SimReply(status: .created, headers: [:], body: .init())
    }

    func chat(_ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let (userID, appID) = try knownUser(context, token)
        let installation = state.store.withLock { $0.organizations[token.organization]?.installations[userID] }
        guard let installation, installation == SimHTTP.param(context, "installation") else {
            throw SimError.notFound(code: "NotFound", message: "The installation was not found.")
        }
        // Installing the app made the chat: it can be read before the bot has written in it.
        let id = state.openConversation(token.organization, .teams, userID, SimChat.bot)?.id ?? "19:\(userID)_\(appID)@unq.gbl.spaces"
        return SimHTTP.json(["id": .string(id), "chatType": "oneOnOne"] as [String: AnyCodable])
    }
}
