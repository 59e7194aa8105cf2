import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// Admin steps of the Connect Center and imports, as a client of the API performs them.
extension API {
    /// Connects `platform` of a simulated organization; returns the connection's id.
    @discardableResult
    func connect(_ platform: Platform, organization: String = "acme", org: String = "acme", token: String? = operatorToken) async throws -> String {
        let reply = try await call(
            .post, "/v1/orgs/\(org)/connections", token: token, json: platforms!.connectionBody(platform, organization: organization))
        #expect(reply.status == .created, "\(reply.text)")
        return try reply.decode(ConnectionView.self).id
    }

    /// Lists every available team of a connection (following cursors) and selects them all.
    func selectAllTeams(_ connection: String, org: String = "acme") async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let uri = "/v1/orgs/\(org)/connections/\(connection)/teams/available" + (cursor.map { "?cursor=\($0)" } ?? "")
            let page = try await call(.get, uri)
            #expect(page.status == .ok, "\(page.text)")
            let teams = try page.decode(Page<TeamView>.self)
            ids += teams.items.map(\.platformTeamId)
            cursor = teams.nextCursor
        } while cursor != nil
        struct Selection: Encodable { let select: [String] }
        let body = String(decoding: try JSONEncoder().encode(Selection(select: ids)), as: UTF8.self)
        let reply = try await call(.post, "/v1/orgs/\(org)/connections/\(connection)/teams/selection", json: body)
        #expect(reply.status == .ok, "\(reply.text)")
        return ids
    }

    /// Asks for an import and waits until it has ended; returns the run, typed.
    func importAndWait(_ connection: String, org: String = "acme", timeout: Duration = .seconds(60)) async throws -> ImportRunView {
        let started = try await call(.post, "/v1/orgs/\(org)/connections/\(connection)/imports")
        #expect(started.status == .accepted || started.status == .ok, "\(started.text)")
        return try await waitForImport(try started.decode(ImportRunView.self).id, org: org, timeout: timeout)
    }

    /// Waits until import run `id` has ended; returns the run, typed.
    func waitForImport(_ id: String, org: String = "acme", timeout: Duration = .seconds(60)) async throws -> ImportRunView {
        var run: ImportRunView?
        try await eventually(timeout, "import \(id) did not end") {
            let current = try await call(.get, "/v1/orgs/\(org)/imports/\(id)").decode(ImportRunView.self)
            run = current
            return ["succeeded", "failed"].contains(current.state)
        }
        return try #require(run)
    }

    /// Every person of the organization (following cursors), each read as `view`.
    func people<Person: Decodable>(as view: Person.Type, org: String = "acme", query: String = "") async throws -> [Person] {
        var people: [Person] = []
        var cursor: String?
        repeat {
            var uri = "/v1/orgs/\(org)/people?limit=200" + (query.isEmpty ? "" : "&\(query)")
            if let cursor { uri += "&cursor=\(cursor)" }
            let reply = try await call(.get, uri)
            #expect(reply.status == .ok, "\(reply.text)")
            let page = try reply.decode(Page<Person>.self)
            people += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return people
    }

    /// Every person of the organization (following cursors), typed.
    func personViews(org: String = "acme", query: String = "") async throws -> [PersonView] {
        try await people(as: PersonView.self, org: org, query: query)
    }

    /// One person's page, typed.
    func personView(_ id: String, org: String = "acme") async throws -> PersonView {
        let reply = try await call(.get, "/v1/orgs/\(org)/people/\(id)")
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(PersonView.self)
    }
}

/// What the simulator's seed implies UserSync should find: people by normalized email, with the
/// platforms they are active on.
struct ExpectedPerson: Equatable, CustomStringConvertible {
    var email: String
    var platforms: Set<Platform>
    var activePlatforms: Set<Platform>

    var needsPrimaryChoice: Bool { activePlatforms.count > 1 }
    var defaultPrimary: Platform? { activePlatforms.count == 1 ? activePlatforms.first : nil }
    var allDeactivated: Bool { activePlatforms.isEmpty }
    var description: String { "\(email) on \(platforms.map(\.rawValue).sorted()) active \(activePlatforms.map(\.rawValue).sorted())" }

    /// The simulated organization's people on `platforms`; Teams and Webex accounts count only
    /// when they are in one of `selectedTeams` (nil: all teams).
    static func from(
        _ simulator: PlatformSimulator, organization: String, platforms: Set<Platform>, selectedTeams: Set<String>? = nil
    ) -> [String: ExpectedPerson] {
        var expected: [String: ExpectedPerson] = [:]
        for person in simulator.people(organization: organization, limit: 1_000_000) ?? [] {
            for account in person.accounts where platforms.contains(account.platform) {
                if account.platform.importsSelectedTeams {
                    guard !account.teams.isEmpty, selectedTeams.map({ !$0.isDisjoint(with: account.teams) }) ?? true else { continue }
                }
                var entry = expected[person.email] ?? ExpectedPerson(email: person.email, platforms: [], activePlatforms: [])
                entry.platforms.insert(account.platform)
                if account.active && !account.pending { entry.activePlatforms.insert(account.platform) }
                expected[person.email] = entry
            }
        }
        return expected
    }
}
