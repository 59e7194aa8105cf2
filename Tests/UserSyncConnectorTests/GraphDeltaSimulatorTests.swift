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
    struct TeamMember: Decodable { let userId: String }

    /// Teams user ids of the seeded organization, and one seeded group with members.
    static func seeded(_ simulator: PlatformSimulator) throws -> (users: [String], group: String) {
        let accounts = try #require(simulator.people(organization: "acme", limit: 10_000)).flatMap(\.accounts).filter { $0.platform == .teams }
        let group = try #require(accounts.first { !$0.teams.isEmpty }?.teams.first)
        return (accounts.map(\.id), group)
    }

    static func members(_ round: GraphDeltaProbe.Round) -> [Int] {
        round.pages.flatMap { page in page.value.map { $0.members?.count ?? 0 } }
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
            #expect(round.pages.allSatisfy { page in page.value.reduce(0) { $0 + ($1.members?.count ?? 0) } <= 4 })
            for page in round.pages.dropLast() {
                let next = try #require(page.nextLink)
                #expect(next.hasPrefix("\(platforms.baseURL)/graph/v1.0/groups/delta?$skiptoken="))
                #expect(page.deltaLink == nil)
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
                Set(try teamMembers.decode(GraphDeltaProbe.Page<TeamMember>.self).value.map(\.userId)) == expected,
                "the team's members are the group's")

            let changes = try await graph.round(first.deltaLink)
            #expect(changes.added == [big: [users[20]]])
            #expect(changes.removed == [big: [users[5]: "deleted", users[7]: "changed"]])
            #expect(changes.appearances[quiet] == nil, "a group whose membership did not change is not reported")

            let replayed = try await graph.round(first.deltaLink)
            #expect(replayed.added == changes.added && replayed.removed == changes.removed)

            let nothing = try await graph.round(changes.deltaLink)
            #expect(nothing.pages.count == 1 && nothing.pages[0].value.isEmpty)

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
            let only = try answer.decode(GraphDeltaProbe.Page<GraphDeltaProbe.DeltaGroup>.self)
            #expect(only.value.isEmpty && only.nextLink == nil)
            let link = try #require(only.deltaLink)
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
            let skipLink = try #require(try firstPage.decode(GraphDeltaProbe.Page<GraphDeltaProbe.DeltaGroup>.self).nextLink)
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
            #expect(lapsed.status == 410 && lapsed.errorCode == "syncStateNotFound", "\(lapsed.status) \(lapsed.text)")
            #expect(!simulator.expireDeltaTokens(organization: "nobody"))
        }
    }
}
