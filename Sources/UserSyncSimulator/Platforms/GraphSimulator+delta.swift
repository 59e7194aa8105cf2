import Foundation
import HTTPTypes
import Hummingbird

/// `GET /groups/delta` as platform-apis.md §2.6 describes it: a round of pages linked by
/// `@odata.nextLink` (`$skiptoken`) ending in `@odata.deltaLink` (`$deltatoken`); the first
/// request's `$filter` and `$select` live on in the tokens, which are positions in the
/// organization's membership log and can be replayed.
extension GraphSimulator {
    /// A token that no longer works (expired, or issued before the control API expired tokens).
    struct DeltaGone: Error {
        var token: GraphDeltaToken
    }

    func groupsDelta(_ request: Request, _ token: SimToken) throws -> SimReply {
        do {
            return try deltaPage(request, token)
        } catch let gone as DeltaGone {
            let location = restartURL(request, gone.token)
            return SimHTTP.json(
                Self.errorBody("syncStateNotFound", "The sync state is no longer available; restart with a full synchronization."),
                status: .gone, headers: [.location: location])
        }
    }

    private func deltaPage(_ request: Request, _ token: SimToken) throws -> SimReply {
        let query = SimHTTP.query(request)
        let now = state.configuration.now().timeIntervalSince1970
        let found = state.store.withLock { store in
            store.organizations[token.organization].map { ($0.directory(.teams), $0.membershipLog, store.graphDeltaPageSize) }
        }
        guard let (directory, log, pageSize) = found else { throw SimError.unauthorized(.revoked) }

        var round: GraphDeltaToken
        if let skip = query["$skiptoken"] {
            round = try open(skip, "$skiptoken", organization: token.organization, log: log, now: now)
            guard round.upTo != nil, round.pageSize != nil else { throw Self.badToken("$skiptoken") }
        } else if let delta = query["$deltatoken"], delta != "latest" {
            round = try open(delta, "$deltatoken", organization: token.organization, log: log, now: now)
            guard round.upTo == nil else { throw Self.badToken("$deltatoken") }
            round.upTo = log.position
            round.pageSize = pageSize
        } else {
            round = try firstRequest(query, organization: token.organization, log: log, now: now)
            if query["$deltatoken"] == "latest" {
                // "Sync from now": no data, just where the next round starts.
                let link = deltaURL(request, "$deltatoken", round.startingNext(at: log.position, now: now))
                return SimHTTP.json(GraphDeltaPage(context: Self.deltaContext(round), value: [], deltaLink: link))
            }
            round.upTo = log.position
            round.pageSize = pageSize
        }

        let upTo = round.upTo ?? log.position
        let teams = round.groups.map { $0.compactMap { directory.teamIndex[$0] } } ?? Array(directory.teams.indices)
        let key = GraphDeltaRoundCache.Key(organization: token.organization, epoch: log.epoch, teams: teams, since: round.since, upTo: upTo)
        let whole = state.deltaRounds.round(key) {
            round.since.map { GraphDeltaRound.changes(teams: teams, log: log, since: $0, upTo: upTo) }
                ?? GraphDeltaRound.initial(teams: teams, directory: directory, log: log, at: upTo)
        }
        let (groups, isLast) = whole.page(round.page, size: round.pageSize ?? pageSize, members: round.selectsMembers)
        let value = groups.map { Self.object($0, directory: directory, round: round) }

        var next = round
        next.issuedAt = now
        guard isLast else {
            next.page += 1
            return SimHTTP.json(GraphDeltaPage(context: Self.deltaContext(round), value: value, nextLink: deltaURL(request, "$skiptoken", next)))
        }
        let link = deltaURL(request, "$deltatoken", round.startingNext(at: upTo, now: now))
        return SimHTTP.json(GraphDeltaPage(context: Self.deltaContext(round), value: value, deltaLink: link))
    }

    /// The first request of a delta query: its `$filter` and `$select`, checked.
    private func firstRequest(_ query: [String: String], organization: String, log: SimMembershipLog, now: Double) throws -> GraphDeltaToken {
        for option in ["$top", "$orderby", "$expand", "$search"] where query[option] != nil {
            throw SimError.badRequest(
                code: "Request_UnsupportedQuery",
                message: "The query option '\(option)' is not supported with delta queries; select members with $select.")
        }
        let groups = try query["$filter"].map(GraphDeltaFilter.ids)
        return GraphDeltaToken(
            organization: organization, groups: groups, select: query["$select"], epoch: log.epoch, since: nil, upTo: nil, page: 0,
            pageSize: nil, issuedAt: now)
    }

    /// A token this simulator sealed for this organization, still live.
    private func open(_ text: String, _ parameter: String, organization: String, log: SimMembershipLog, now: Double) throws -> GraphDeltaToken {
        guard let token = state.deltaTokens.decode(text), token.organization == organization else { throw Self.badToken(parameter) }
        guard token.epoch == log.epoch, now - token.issuedAt <= state.configuration.deltaTokenLifetime,
            (token.since ?? 0) <= log.position, (token.upTo ?? 0) <= log.position
        else { throw DeltaGone(token: token) }
        return token
    }

    private static func badToken(_ parameter: String) -> SimError {
        .badRequest(code: "Request_BadRequest", message: "Invalid value specified for property '\(parameter)'.")
    }

    /// A group of the round as Graph writes it: `id`, the selected properties, and
    /// `members@delta` when members are selected.
    private static func object(_ group: GraphDeltaRound.Group, directory: SimPlatformDirectory, round: GraphDeltaToken) -> AnyCodable {
        let team = directory.teams[group.team]
        var object: [String: AnyCodable] = ["id": .string(team.id)]
        let properties = round.properties
        if properties.contains("displayname") { object["displayName"] = .string(team.name) }
        if properties.contains("description") { object["description"] = .string(team.description) }
        if round.selectsMembers {
            object["members@delta"] = .array(
                group.entries.map { entry in
                    var member: [String: AnyCodable] = ["@odata.type": "#microsoft.graph.user", "id": .string(directory.accounts[entry.account].id)]
                    if let reason = entry.removal { member["@removed"] = .object(["reason": .string(reason)]) }
                    return .object(member)
                })
        }
        return .object(object)
    }

    private static func deltaContext(_ round: GraphDeltaToken) -> String {
        round.select.map { "groups(\($0))" } ?? "groups"
    }

    /// An absolute link to the delta endpoint carrying one sealed token.
    private func deltaURL(_ request: Request, _ parameter: String, _ token: GraphDeltaToken) -> String {
        "\(http.baseURL(request))/graph/v1.0/groups/delta?\(parameter)=\(SimHTTP.escape(state.deltaTokens.encode(token)))"
    }

    /// The first request of the query `token` belongs to, for the `Location` of 410 Gone.
    private func restartURL(_ request: Request, _ token: GraphDeltaToken) -> String {
        var options: [String] = []
        if let groups = token.groups { options.append("$filter=\(SimHTTP.escape(GraphDeltaFilter.text(groups)))") }
        if let select = token.select { options.append("$select=\(SimHTTP.escape(select))") }
        let path = "\(http.baseURL(request))/graph/v1.0/groups/delta"
        return options.isEmpty ? path : "\(path)?\(options.joined(separator: "&"))"
    }
}
