import Foundation
import Testing
import UserSyncDomain

/// `GET …/auto-sync/groups`: Entra groups listed live through a Teams connection (in the
/// simulator, every team is a Microsoft 365 group with the same id).
@Suite struct AutoSyncGroupsAPITests {
    struct Group: Decodable, Equatable {
        let id: String
        let displayName: String
        let description: String?
    }

    struct Team: Decodable { let platformTeamId: String, name: String? }

    struct Groups: Decodable {
        let items: [Group]
        let nextCursor: String?
    }

    /// Every page of the listing, following the cursors.
    func all(_ api: API, _ connection: String, q: String? = nil) async throws -> [Group] {
        var groups: [Group] = [], cursor: String?
        repeat {
            var uri = "/v1/orgs/acme/auto-sync/groups?connection_id=\(connection)"
            if let q { uri += "&q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)" }
            if let cursor { uri += "&cursor=\(cursor)" }
            let reply = try await api.call(.get, uri)
            #expect(reply.status == .ok, "\(reply.text)")
            let page = try reply.decode(Groups.self)
            groups += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return groups
    }

    @Test func groupsAreListedLiveAndFilteredByTheStartOfTheirName() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let teams = try await api.connect(.teams)
            var known: [String: String] = [:], cursor: String?
            repeat {
                let page = try await api.call(.get, "/v1/orgs/acme/connections/\(teams)/teams/available" + (cursor.map { "?cursor=\($0)" } ?? ""))
                    .decode(Page<Team>.self)
                for team in page.items { known[team.platformTeamId] = team.name }
                cursor = page.nextCursor
            } while cursor != nil
            try #require(known.count >= 2)

            let everything = try await all(api, teams)
            #expect(Dictionary(uniqueKeysWithValues: everything.map { ($0.id, $0.displayName) }) == known)

            let first = try #require(everything.first)
            let prefix = String(first.displayName.prefix(3)).uppercased()
            let matching = try await all(api, teams, q: prefix)
            #expect(matching.contains(first))
            #expect(matching.allSatisfy { $0.displayName.lowercased().hasPrefix(prefix.lowercased()) })
            #expect(matching.count == known.values.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }.count)
            #expect(try await all(api, teams, q: "O'Brien's \"team\"").isEmpty)
        }
    }

    @Test func theConnectionMustBeAConnectedTeamsOne() async throws {
        try await withSimulatedAPI(worker: false) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let missing = try await api.call(.get, "/v1/orgs/acme/auto-sync/groups")
            #expect(try missing.status == .badRequest && missing.decode(ProblemReply.self).code == "invalid_query_parameter")
            let notTeams = try await api.call(.get, "/v1/orgs/acme/auto-sync/groups?connection_id=\(slack)")
            #expect(notTeams.status == .unprocessableContent, "\(notTeams.text)")
            #expect(notTeams.text.contains("not_a_teams_connection"))
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/groups?connection_id=\(UUID().lowercasedText)").status == .notFound)
            #expect(try await api.call(.get, "/v1/orgs/acme/auto-sync/groups?connection_id=\(slack)&colour=red").status == .badRequest)
        }
    }
}
