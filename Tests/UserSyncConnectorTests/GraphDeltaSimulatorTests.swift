import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// The simulator's Entra group members listing and group delta query, over HTTP as a connector
/// would call them (platform-apis.md §2.3, §2.6).
@Suite("Graph group delta and group members in the simulator")
struct GraphDeltaSimulatorTests {
    /// Teams user ids of the seeded organization, and one seeded group with members.
    static func seeded(_ simulator: PlatformSimulator) throws -> (users: [String], group: String) {
        let accounts = try #require(simulator.people(organization: "acme", limit: 10_000)).flatMap(\.accounts).filter { $0.platform == .teams }
        let group = try #require(accounts.first { !$0.teams.isEmpty }?.teams.first)
        return (accounts.map(\.id), group)
    }

    static func members(_ round: GraphDeltaProbe.Round) -> [Int] {
        round.pages.flatMap { page in (page["value"] as? [[String: Any]] ?? []).map { ($0["members@delta"] as? [Any])?.count ?? 0 } }
    }

    @Test("an initial round spread over pages merges to every member of each filtered group")
    func initialRound() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let (users, seededGroup) = try Self.seeded(simulator)
            let big = try #require(simulator.createGroup(organization: "acme", displayName: "Everyone"))
            #expect(simulator.addGroupMembers(organization: "acme", groupID: big, userIDs: Array(users.prefix(23))) == 23)
            simulator.setGraphDeltaPageSize(4)
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)

            let round = try await graph.round(graph.deltaURL([big, seededGroup, "4b1d0000-0000-4000-a000-000000000000"]))
            #expect(round.added[big] == Set(users.prefix(23)))
            #expect(round.added[seededGroup] == Set(try #require(simulator.groupMembers(organization: "acme", groupID: seededGroup))))
            #expect(round.removed.isEmpty)
            #expect(round.names[big] == "Everyone")
            #expect(round.appearances["4b1d0000-0000-4000-a000-000000000000"] == nil, "unknown ids are not reported")
            #expect((round.appearances[big] ?? 0) >= 6, "a group larger than a page repeats with slices of its members")
            #expect(
                round.pages.allSatisfy { page in
                    (page["value"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["members@delta"] as? [Any])?.count ?? 0) } <= 4
                })
            for page in round.pages.dropLast() {
                let next = try #require(page["@odata.nextLink"] as? String)
                #expect(next.hasPrefix("\(platforms.baseURL)/graph/v1.0/groups/delta?$skiptoken="))
                #expect(page["@odata.deltaLink"] == nil)
            }
            #expect(round.deltaLink.hasPrefix("\(platforms.baseURL)/graph/v1.0/groups/delta?$deltatoken="))
            #expect(!round.deltaLink.contains("filter") && !round.deltaLink.contains(big), "the query lives in the token")

            // Without members selected there is no members@delta, and every group comes once.
            let plain = try await graph.round(graph.deltaURL([big, seededGroup], select: "displayName"))
            #expect(plain.appearances == [big: 1, seededGroup: 1])
            #expect(plain.added.isEmpty && plain.pages.count == 1)
        }
    }

    @Test("upstream changes come back from the delta link as net additions and removals, and replaying it is harmless")
    func changesSinceToken() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let users = try Self.seeded(simulator).users
            let big = try #require(simulator.createGroup(organization: "acme", displayName: "Everyone"))
            let quiet = try #require(simulator.createGroup(organization: "acme", displayName: "Quiet"))
            simulator.addGroupMembers(organization: "acme", groupID: big, userIDs: Array(users.prefix(10)))
            simulator.addGroupMembers(organization: "acme", groupID: quiet, userIDs: Array(users.prefix(3)))
            simulator.setGraphDeltaPageSize(3)
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let first = try await graph.round(graph.deltaURL([big, quiet]))

            #expect(simulator.addGroupMember(organization: "acme", groupID: big, userID: users[20]))
            #expect(!simulator.addGroupMember(organization: "acme", groupID: big, userID: users[0]), "already a member")
            #expect(simulator.removeGroupMember(organization: "acme", groupID: big, userID: users[5]))
            #expect(!simulator.removeGroupMember(organization: "acme", groupID: big, userID: users[21]), "never a member")
            #expect(simulator.addGroupMember(organization: "acme", groupID: big, userID: users[22]))
            #expect(simulator.removeGroupMember(organization: "acme", groupID: big, userID: users[22]))
            #expect(simulator.removeGroupMember(organization: "acme", groupID: big, userID: users[6]))
            #expect(simulator.addGroupMember(organization: "acme", groupID: big, userID: users[6]))
            // A user deleted from the directory leaves its groups (restorable: reason "changed").
            #expect(simulator.changeUser(organization: "acme", platform: .teams, id: users[7], SimUserChange(removed: true)))

            let expected = Set(users.prefix(10)).subtracting([users[5], users[7]]).union([users[20]])
            #expect(Set(try #require(simulator.groupMembers(organization: "acme", groupID: big))) == expected)
            let teamMembers = try await graph.get("\(platforms.baseURL)/graph/v1.0/teams/\(big)/members")
            #expect(
                Set((teamMembers.json["value"] as? [[String: Any]] ?? []).compactMap { $0["userId"] as? String }) == expected,
                "the team's members are the group's")

            let changes = try await graph.round(first.deltaLink)
            #expect(changes.added == [big: [users[20]]])
            #expect(changes.removed == [big: [users[5]: "deleted", users[7]: "changed"]])
            #expect(changes.appearances[quiet] == nil, "a group whose membership did not change is not reported")

            let replayed = try await graph.round(first.deltaLink)
            #expect(replayed.added == changes.added && replayed.removed == changes.removed)

            let nothing = try await graph.round(changes.deltaLink)
            #expect(nothing.pages.count == 1 && (nothing.pages[0]["value"] as? [Any])?.isEmpty == true)

            #expect(simulator.changeUser(organization: "acme", platform: .teams, id: users[7], SimUserChange(removed: false)))
            let restored = try await graph.round(nothing.deltaLink)
            #expect(restored.added == [big: [users[7]]] && restored.removed.isEmpty)
            let all = try await graph.round(first.deltaLink)
            #expect(all.added == [big: [users[20]]] && all.removed == [big: [users[5]: "deleted"]], "restored: no net change for them")
        }
    }

    @Test("the pages of a round agree while membership changes under them; the next round reports the change")
    func changesDuringRound() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let users = try Self.seeded(simulator).users
            let big = try #require(simulator.createGroup(organization: "acme", displayName: "Everyone"))
            simulator.addGroupMembers(organization: "acme", groupID: big, userIDs: Array(users.prefix(10)))
            simulator.setGraphDeltaPageSize(3)
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let round = try await graph.round(graph.deltaURL([big])) { page in
                guard page == 1 else { return }
                simulator.removeGroupMember(organization: "acme", groupID: big, userID: users[9])
                simulator.addGroupMember(organization: "acme", groupID: big, userID: users[30])
                simulator.setGraphDeltaPageSize(100)
            }
            #expect(round.added[big] == Set(users.prefix(10)), "the membership when the round started")
            #expect(Self.members(round) == [3, 3, 3, 1], "a round keeps the page size it started with")
            let next = try await graph.round(round.deltaLink)
            #expect(next.added == [big: [users[30]]] && next.removed == [big: [users[9]: "deleted"]])
        }
    }

    @Test("$deltatoken=latest answers only a delta link, from which later changes are reported")
    func latest() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let (users, group) = try Self.seeded(simulator)
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let answer = try await graph.get(graph.deltaURL([group], extra: "&$deltatoken=latest"))
            #expect(answer.status == 200)
            #expect((answer.json["value"] as? [Any])?.isEmpty == true && answer.json["@odata.nextLink"] == nil)
            let link = try #require(answer.json["@odata.deltaLink"] as? String)
            let joining = try #require(users.first { !(simulator.groupMembers(organization: "acme", groupID: group) ?? []).contains($0) })
            #expect(simulator.addGroupMember(organization: "acme", groupID: group, userID: joining))
            let round = try await graph.round(link)
            #expect(round.added == [group: [joining]] && round.removed.isEmpty)
        }
    }

    @Test("expired delta and skip tokens answer 410 Gone with a Location that starts over")
    func expiredTokens() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration()
        configuration.now = { clock.now() }
        configuration.graphDeltaPageSize = 2
        try await SimulatedPlatforms.run(configuration) { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let users = try Self.seeded(simulator).users
            let big = try #require(simulator.createGroup(organization: "acme", displayName: "Everyone"))
            simulator.addGroupMembers(organization: "acme", groupID: big, userIDs: Array(users.prefix(5)))
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let firstPage = try await graph.get(graph.deltaURL([big]))
            let skipLink = try #require(firstPage.json["@odata.nextLink"] as? String)
            let round = try await graph.round(graph.deltaURL([big]))

            var expire = HTTPClientRequest(url: "\(platforms.baseURL)/_sim/orgs/acme/graph/delta-tokens/expire")
            expire.method = .POST
            #expect(try await HTTPClient.shared.execute(expire, timeout: .seconds(30)).status == .noContent)
            for stale in [round.deltaLink, skipLink] {
                let gone = try await graph.get(stale)
                #expect(gone.status == 410)
                #expect(gone.errorCode == "syncStateNotFound")
                let location = try #require(gone.headers.first(name: "Location"))
                #expect(location.hasPrefix("\(platforms.baseURL)/graph/v1.0/groups/delta?"))
                #expect(queryItem(location, "$filter") == "id eq '\(big)'")
                #expect(queryItem(location, "$select") == "displayName,members")
                let again = try await graph.round(location)
                #expect(again.added == [big: Set(users.prefix(5))])
            }

            // Tokens also lapse after 7 days.
            let fresh = try await graph.round(graph.deltaURL([big]))
            #expect(try await graph.get(fresh.deltaLink).status == 200)
            clock.advance(by: 7 * 24 * 3600 + 1)
            let later = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let lapsed = try await later.get(fresh.deltaLink)
            #expect(lapsed.status == 410 && lapsed.errorCode == "syncStateNotFound", "\(lapsed.status) \(lapsed.json)")
            #expect(!simulator.expireDeltaTokens(organization: "nobody"))
        }
    }

    @Test("filters other than id eq … or …, more than 50 ids, unsupported options and forged tokens are 400s")
    func badRequests() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let other = simulator.createOrganization(name: "other", size: 100)
            let group = try Self.seeded(simulator).group
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let delta = "\(platforms.baseURL)/graph/v1.0/groups/delta"
            for filter in ["displayName eq 'Sales'", "id eq '\(group)' and id eq 'x'", "id ne '\(group)'", "startswith(id,'a')", ""] {
                let answer = try await graph.get("\(delta)?$filter=\(GraphDeltaProbe.escape(filter))&$select=members")
                #expect(answer.status == 400, "\(filter)")
                #expect(answer.errorCode == "Request_UnsupportedQuery")
            }
            let fifty = (0..<50).map { "id-\($0)" }
            #expect(try await graph.get(graph.deltaURL(fifty)).status == 200)
            #expect(try await graph.get(graph.deltaURL(fifty + ["id-50"])).status == 400)
            #expect(try await graph.get(graph.deltaURL([group], extra: "&$top=5")).status == 400)
            #expect(try await graph.get(graph.deltaURL([group], extra: "&$expand=members")).status == 400)
            for forged in ["$deltatoken=bogus", "$skiptoken=bogus"] {
                let answer = try await graph.get("\(delta)?\(forged)")
                #expect(answer.status == 400 && answer.errorCode == "Request_BadRequest")
            }
            // A delta link is bound to the tenant that got it.
            let otherGraph = try await GraphDeltaProbe.connect(platforms.baseURL, other.credentials.teams)
            let link = try await graph.round(graph.deltaURL([group])).deltaLink
            #expect(try await otherGraph.get(link).status == 400)
            let anonymous = GraphDeltaProbe(base: platforms.baseURL, token: "")
            #expect(try await anonymous.get(link).status == 401)
        }
    }

    @Test("/groups/{id}/members pages users with $top and next links; an unknown group is a 404")
    func membersListing() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let users = try Self.seeded(simulator).users
            let big = try #require(simulator.createGroup(organization: "acme", displayName: "Everyone"))
            simulator.addGroupMembers(organization: "acme", groupID: big, userIDs: Array(users.prefix(23)))
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)

            var seen: [String] = []
            var pages = 0
            var next: String? = "\(platforms.baseURL)/graph/v1.0/groups/\(big)/members?$top=5"
            while let url = next {
                let page = try await graph.get(url)
                #expect(page.status == 200)
                let value = page.json["value"] as? [[String: Any]] ?? []
                #expect(value.count <= 5)
                for user in value {
                    #expect(user["@odata.type"] as? String == "#microsoft.graph.user")
                    #expect(user["displayName"] is String && user["userPrincipalName"] is String && user["accountEnabled"] is Bool)
                    #expect(user.keys.contains("mail"))
                    seen.append(user["id"] as? String ?? "")
                }
                pages += 1
                next = page.json["@odata.nextLink"] as? String
                #expect(next.map { $0.hasPrefix("\(platforms.baseURL)/graph/v1.0/groups/\(big)/members?") } ?? true)
            }
            #expect(pages == 5)
            #expect(seen == simulator.groupMembers(organization: "acme", groupID: big))
            #expect(Set(seen) == Set(users.prefix(23)))

            let selected = try await graph.get("\(platforms.baseURL)/graph/v1.0/groups/\(big)/members/microsoft.graph.user?$select=id,mail&$top=999")
            let value = selected.json["value"] as? [[String: Any]] ?? []
            #expect(value.count == 23)
            #expect(value.allSatisfy { Set($0.keys) == ["@odata.type", "id", "mail"] })

            let unknown = try await graph.get("\(platforms.baseURL)/graph/v1.0/groups/4b1d0000-0000-4000-a000-000000000000/members")
            #expect(unknown.status == 404 && unknown.errorCode == "Request_ResourceNotFound")
        }
    }

    @Test("faults are injected by endpoint name: groups.delta and groups.members")
    func faults() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let group = try Self.seeded(simulator).group
            simulator.addFault(FaultRule(platform: .teams, endpoint: "groups.delta", kind: .rateLimit, times: 1, retryAfter: 7))
            simulator.addFault(FaultRule(platform: .teams, endpoint: "groups.members", kind: .serverError, times: 1, status: 503))
            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let limited = try await graph.get(graph.deltaURL([group]))
            #expect(limited.status == 429 && limited.headers.first(name: "Retry-After") == "7" && limited.errorCode == "TooManyRequests")
            #expect(try await graph.get(graph.deltaURL([group])).status == 200)
            let members = "\(platforms.baseURL)/graph/v1.0/groups/\(group)/members"
            let unavailable = try await graph.get(members)
            #expect(unavailable.status == 503 && unavailable.errorCode == "serviceNotAvailable")
            #expect(try await graph.get(members).status == 200)
            #expect(simulator.calls(.teams, "groups.delta", status: 429) == 1)
            #expect(simulator.calls(.teams, "groups.members", status: 200) == 1)
        }
    }

    @Test("the control API changes group membership; a change that changes nothing logs nothing")
    func controlAPI() async throws {
        try await SimulatedPlatforms.run { platforms in
            let simulator = platforms.simulator
            let summary = simulator.createOrganization(name: "acme", size: 600)
            let users = try Self.seeded(simulator).users
            let base = "\(platforms.baseURL)/_sim"
            func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, String) {
                var request = HTTPClientRequest(url: base + path)
                request.method = method
                if let body { request.body = .bytes(.init(string: body)) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            let created = try await send(.POST, "/orgs/acme/graph/groups", #"{"displayName":"Via HTTP"}"#)
            #expect(created.0 == 201)
            let group = try #require((try JSONSerialization.jsonObject(with: Data(created.1.utf8)) as? [String: Any])?["id"] as? String)
            #expect(try await send(.POST, "/orgs/acme/graph/groups/\(group)/members", #"{"user_id":"\#(users[0])"}"#) == (200, #"{"changed":true}"#))
            #expect(
                try await send(.POST, "/orgs/acme/graph/groups/\(group)/members", #"{"user_ids":["\#(users[1])","\#(users[2])","\#(users[0])"]}"#)
                    == (200, #"{"added":2}"#))
            #expect(
                try await send(.GET, "/orgs/acme/graph/groups/\(group)/members").1
                    == simulator.groupMembers(organization: "acme", groupID: group)
                    .map { "[" + $0.map { "\"\($0)\"" }.joined(separator: ",") + "]" })
            #expect(try await send(.DELETE, "/orgs/acme/graph/groups/\(group)/members/\(users[2])") == (200, #"{"changed":true}"#))
            #expect(try await send(.POST, "/orgs/acme/graph/groups/nope/members", #"{"user_id":"\#(users[0])"}"#).0 == 404)
            #expect(try await send(.POST, "/orgs/acme/graph/groups/\(group)/members", #"{"user_id":"nobody"}"#).0 == 404)
            #expect(try await send(.PUT, "/graph/delta-page-size", #"{"size":2}"#).0 == 204)
            #expect(simulator.graphDeltaPageSize == 2)

            let graph = try await GraphDeltaProbe.connect(platforms.baseURL, summary.credentials.teams)
            let round = try await graph.round(graph.deltaURL([group]))
            #expect(round.added == [group: [users[0], users[1]]] && round.pages.count == 1)
            #expect(try await send(.POST, "/orgs/acme/graph/groups/\(group)/members", #"{"user_id":"\#(users[1])"}"#) == (200, #"{"changed":false}"#))
            #expect(try await send(.DELETE, "/orgs/acme/graph/groups/\(group)/members/\(users[2])") == (200, #"{"changed":false}"#))
            let after = try await graph.round(round.deltaLink)
            #expect(after.added.isEmpty && after.removed.isEmpty && after.appearances.isEmpty)
        }
    }
}
