import Hummingbird

extension GraphSimulator {
    /// What `/groups/{id}/members` shows of each user unless `$select` says otherwise.
    static let groupMemberFields: Set<String> = ["id", "displayName", "mail", "userPrincipalName", "accountEnabled"]

    /// `GET /groups/{id}/members` (and its `microsoft.graph.user` cast): the group's direct
    /// members, all users here, typed with `@odata.type`. `$top` 1–999 (default 100), sealed
    /// `$skiptoken` next links, `$select` honoured (`id` always); 404 for an unknown group.
    func groupMembers(_ request: Request, _ context: BasicRequestContext, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let groupID = SimHTTP.param(context, "id") ?? ""
        let top = Int(query["$top"] ?? "100") ?? 0
        guard (1...999).contains(top) else {
            throw SimError.badRequest(
                code: "Request_UnsupportedQuery", message: "Invalid page size specified: '\(top)'. Must be between 1 and 999 inclusive.")
        }
        let listing = "graph.groupMembers.\(groupID)"
        let start = try position(query, token: token, listing: listing)
        let selected =
            query["$select"].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }).union(["id"]) }
            ?? Self.groupMemberFields
        let (domain, directory) = state.store.withLock {
            ($0.organizations[token.organization]?.domain ?? "", $0.organizations[token.organization]?.directory(.teams) ?? SimPlatformDirectory())
        }
        guard let team = directory.teamIndex[groupID] else {
            throw SimError.notFound(
                code: "Request_ResourceNotFound",
                message: "Resource '\(groupID)' does not exist or one of its queried reference-property objects are not present.")
        }
        let members = directory.teams[team].members
        var users: [GraphWireUser] = []
        var offset = start.offset
        while offset < members.count, users.count < top {
            let account = directory.accounts[members[offset]]
            if !account.removed {
                users.append(GraphWireUser(account: account, domain: domain, selected: selected, odataType: "#microsoft.graph.user"))
            }
            offset += 1
        }
        let link =
            offset < members.count
            ? nextLink(request, query, .init(organization: token.organization, listing: listing, offset: offset)) : nil
        return SimHTTP.json(GraphPage(context: "directoryObjects", value: users, nextLink: link))
    }
}
