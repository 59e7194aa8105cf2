import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing
import UserSyncConnectors
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

@Suite("The simulator itself")
struct SimulatorTests {
    @Test("the same seed gives the same organization; another seed another")
    func deterministic() {
        let one = PlatformSimulator().createOrganization(name: "acme", seed: 5, size: 500)
        let two = PlatformSimulator().createOrganization(name: "acme", seed: 5, size: 500)
        let three = PlatformSimulator().createOrganization(name: "acme", seed: 6, size: 500)
        #expect(one == two)
        #expect(one != three)
        let first = PlatformSimulator()
        first.createOrganization(name: "acme", seed: 5, size: 500)
        let second = PlatformSimulator()
        second.createOrganization(name: "acme", seed: 5, size: 500)
        #expect(first.people(organization: "acme") == second.people(organization: "acme"))
    }

    @Test("seeded people overlap across platforms the way a company's do")
    func realisticOverlaps() throws {
        let simulator = PlatformSimulator()
        simulator.createOrganization(name: "acme", seed: 1, size: 5_000)
        let people = try #require(simulator.people(organization: "acme", limit: 10_000))
        let platformsPerPerson = people.map { Set($0.accounts.map(\.platform)).count }
        #expect(platformsPerPerson.filter { $0 == 1 }.count > people.count / 3)
        #expect(platformsPerPerson.filter { $0 == 2 }.count > people.count / 5)
        #expect(platformsPerPerson.contains(3) && platformsPerPerson.contains(4))
        // Addresses that differ only in case or spacing across platforms.
        let spelledDifferently = people.filter { person in Set(person.accounts.map { $0.emails[0] }).count > 1 }
        #expect(!spelledDifferently.isEmpty)
        #expect(people.flatMap(\.accounts).contains { $0.emails[0].hasPrefix(" ") })
    }

    @Test("100,000 people seed in seconds")
    func largeSeed() {
        let started = ContinuousClock.now
        let summary = PlatformSimulator().createOrganization(name: "huge", seed: 1, size: 100_000)
        #expect(summary.counts.values.map(\.listed).reduce(0, +) > 150_000)
        // Generous for a debug build on a shared machine; the release figure is in the benchmark.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("bad and expired cursors get each platform's own error")
    func badCursors() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration()
        configuration.cursorLifetime = 900
        configuration.now = { clock.now() }
        try await SimulatedPlatforms.run(configuration) { platforms in
            let summary = platforms.simulator.createOrganization(name: "acme", size: 600)
            let c = summary.credentials
            let base = platforms.baseURL
            func call(_ url: String, _ token: String) async throws -> (Int, String, HTTPHeaders) {
                let response = try await get(.shared, url, headers: ["Authorization": "Bearer \(token)"])
                return (response.status, response.body, response.headers)
            }
            let slack = try await call("\(base)/slack/api/users.list?limit=10&cursor=not-a-cursor", c.slack.botToken)
            #expect(slack.0 == 200 && slack.1.contains("invalid_cursor"))
            let webex = try await call("\(base)/webex/v1/people?max=10&cursor=bogus", c.webex.adminToken)
            #expect(webex.0 == 400 && webex.1.contains("trackingId"))

            // A real cursor stops working once it expires.
            let first = try await call("\(base)/webex/v1/people?max=10", c.webex.adminToken)
            let next = try #require(
                first.2.first(name: "Link").flatMap { $0.split(separator: "<").last?.split(separator: ">").first }.map(String.init))
            #expect(try await call(next, c.webex.adminToken).0 == 200)
            clock.advance(by: 901)
            #expect(try await call(next, c.webex.adminToken).0 == 400)

            let graphToken = try await { () async throws -> String in
                var request = HTTPClientRequest(url: "\(base)/login/\(c.teams.tenantID)/oauth2/v2.0/token")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(
                    .init(
                        string: "grant_type=client_credentials&client_id=\(c.teams.clientID)&client_secret=\(c.teams.clientSecret)"
                            + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"))
                let body = try await HTTPClient.shared.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 16)
                return try JSONDecoder().decode(GraphDeltaProbe.Token.self, from: Data(body.readableBytesView)).accessToken
            }()
            let forged = try await call("\(base)/graph/v1.0/users?$top=10&$skiptoken=forged", graphToken)
            #expect(forged.0 == 400 && forged.1.contains("Request_BadRequest"), "\(forged.1)")
            let page = try await call("\(base)/graph/v1.0/users?$top=10", graphToken)
            let users = try JSONDecoder().decode(GraphDeltaProbe.Page<GraphDeltaProbe.Keys>.self, from: Data(page.1.utf8))
            let nextLink = try #require(users.nextLink)
            #expect(try await call(nextLink, graphToken).0 == 200)
            clock.advance(by: 901)
            let expired = try await call(nextLink, graphToken)
            #expect(expired.0 == 400 && expired.1.contains("Directory_ExpiredPageToken"), "\(expired.1)")

            let zoomToken = try await { () async throws -> String in
                var request = HTTPClientRequest(url: "\(base)/zoom/oauth/token")
                request.method = .POST
                request.headers.add(
                    name: "Authorization", value: "Basic " + Data("\(c.zoom.clientID):\(c.zoom.clientSecret)".utf8).base64EncodedString())
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(.init(string: "grant_type=account_credentials&account_id=\(c.zoom.accountID)"))
                let body = try await HTTPClient.shared.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 16)
                return try JSONDecoder().decode(GraphDeltaProbe.Token.self, from: Data(body.readableBytesView)).accessToken
            }()
            let zoom = try await call("\(base)/zoom/v2/users?page_size=10&next_page_token=forged", zoomToken)
            #expect(zoom.0 == 400 && zoom.1.contains("\"code\":300"))
        }
    }

    @Test("the control API injects faults and counts calls over HTTP")
    func controlAPI() async throws {
        try await SimulatedPlatforms.run { platforms in
            var create = HTTPClientRequest(url: "\(platforms.baseURL)/_sim/orgs")
            create.method = .POST
            create.body = .bytes(.init(string: #"{"name":"viahttp","seed":3,"size":40}"#))
            #expect(try await HTTPClient.shared.execute(create, timeout: .seconds(30)).status == .created)
            var fault = HTTPClientRequest(url: "\(platforms.baseURL)/_sim/faults")
            fault.method = .POST
            fault.body = .bytes(.init(string: #"{"platform":"slack","endpoint":"auth.test","kind":"server_error","status":502,"times":1}"#))
            #expect(try await HTTPClient.shared.execute(fault, timeout: .seconds(30)).status == .created)
            var bad = HTTPClientRequest(url: "\(platforms.baseURL)/_sim/faults")
            bad.method = .POST
            bad.body = .bytes(.init(string: #"{"kind":"nonsense"}"#))
            #expect(try await HTTPClient.shared.execute(bad, timeout: .seconds(30)).status == .badRequest)

            _ = try await platforms.connector(.slack, organization: "viahttp").verifyCredentials()
            let calls = try await get(.shared, "\(platforms.baseURL)/_sim/calls")
            let counts = try JSONDecoder().decode([String: Int].self, from: Data(calls.body.utf8))
            #expect(counts["slack auth.test 502"] == 1)
            #expect(counts["slack auth.test 200"] == 1)
        }
    }

    @Test("upstream changes show in the next listing")
    func upstreamChanges() async throws {
        try await SimulatedPlatforms.run { platforms in try await Self.changeUpstream(platforms) }
    }

    static func changeUpstream(_ platforms: SimulatedPlatforms) async throws {
        platforms.simulator.createOrganization(name: "acme", size: 30)
        let connector = platforms.connector(.webex, organization: "acme")
        let before = try await connector.users().collect()
        let target = try #require(before.first { !$0.isBot })
        let change = SimUserChange(email: "new@acme.example.com", active: false)
        let changedUpstream = platforms.simulator.changeUser(organization: "acme", platform: .webex, id: target.platformUserID, change)
        #expect(changedUpstream)
        let hired = platforms.simulator.addUser(organization: "acme", platform: .webex, email: "hire@acme.example.com", displayName: "New Hire")
        let added = try #require(hired)
        let after = try await connector.users().collect()
        let changed = after.first { $0.platformUserID == target.platformUserID }
        #expect(changed?.emails == ["new@acme.example.com"])
        #expect(changed?.isActive == false)
        let newHire = after.first { $0.platformUserID == added }
        #expect(newHire?.displayName == "New Hire")
    }
}
