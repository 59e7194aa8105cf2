import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// The simulator's Graph requests around the delta query: refused queries, the group members
/// listing, injected faults and the control API.
extension GraphDeltaSimulatorTests {
    /// A group member as `/groups/{id}/members` lists it: typed fields, and whether `mail` is
    /// sent at all (it may be null).
    struct User: Decodable {
        enum CodingKeys: String, CodingKey {
            case odataType = "@odata.type"
            case id, displayName, userPrincipalName, accountEnabled, mail
        }

        let odataType: String
        let id: String
        let displayName: String
        let userPrincipalName: String
        let accountEnabled: Bool
        let sendsMail: Bool

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            odataType = try container.decode(String.self, forKey: .odataType)
            id = try container.decode(String.self, forKey: .id)
            displayName = try container.decode(String.self, forKey: .displayName)
            userPrincipalName = try container.decode(String.self, forKey: .userPrincipalName)
            accountEnabled = try container.decode(Bool.self, forKey: .accountEnabled)
            sendsMail = container.contains(.mail)
        }
    }

    struct CreatedGroup: Decodable { let id: String }

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
                let users = try page.decode(GraphDeltaProbe.Page<User>.self)
                #expect(users.value.count <= 5)
                for user in users.value {
                    #expect(user.odataType == "#microsoft.graph.user")
                    #expect(user.sendsMail)
                    seen.append(user.id)
                }
                pages += 1
                next = users.nextLink
                #expect(next.map { $0.hasPrefix("\(platforms.baseURL)/graph/v1.0/groups/\(big)/members?") } ?? true)
            }
            #expect(pages == 5)
            #expect(seen == simulator.groupMembers(organization: "acme", groupID: big))
            #expect(Set(seen) == Set(users.prefix(23)))

            let selected = try await graph.get("\(platforms.baseURL)/graph/v1.0/groups/\(big)/members/microsoft.graph.user?$select=id,mail&$top=999")
            let value = try selected.decode(GraphDeltaProbe.Page<GraphDeltaProbe.Keys>.self).value
            #expect(value.count == 23)
            #expect(value.allSatisfy { $0.keys == ["@odata.type", "id", "mail"] })

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
            let group = try JSONDecoder().decode(CreatedGroup.self, from: Data(created.1.utf8)).id
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
