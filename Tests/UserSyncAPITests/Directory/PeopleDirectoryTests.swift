import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator

/// The people directory: filters, sorting, stable cursors, a person's page and the CSV export.
@Suite struct PeopleDirectoryTests {
    /// An organization with Slack and Zoom imported.
    func imported(_ api: API) async throws -> (slack: String, zoom: String) {
        try await api.createOrganization("acme")
        let slack = try await api.connect(.slack)
        let zoom = try await api.connect(.zoom)
        _ = try await api.importAndWait(slack)
        _ = try await api.importAndWait(zoom)
        return (slack, zoom)
    }

    @Test("filters by platform, connection, primary choice, deactivation and text")
    func filters() async throws {
        try await withSimulatedAPI(organizations: [("acme", 150)]) { api in
            let (_, zoom) = try await imported(api)
            let everyone = try await api.personViews()
            func emails(_ people: [PersonView]) -> Set<String> { Set(people.map(\.email)) }
            #expect(emails(try await api.personViews(query: "platform=zoom")) == emails(everyone.filter { $0.accountPlatforms.contains(.zoom) }))
            #expect(
                emails(try await api.personViews(query: "connection_id=\(zoom)")) == emails(everyone.filter { $0.accountPlatforms.contains(.zoom) }))
            #expect(
                emails(try await api.personViews(query: "needs_primary_choice=true"))
                    == emails(everyone.filter { $0.needsPrimaryChoice == true }))
            #expect(
                emails(try await api.personViews(query: "needs_primary_choice=false")).count
                    == everyone.filter { $0.needsPrimaryChoice == false }.count)
            #expect(
                emails(try await api.personViews(query: "deactivated=true"))
                    == emails(everyone.filter { $0.allAccountsDeactivated == true }))
            #expect(emails(try await api.personViews(query: "primary_platform=slack")) == emails(everyone.filter { $0.primaryPlatform == .slack }))
            #expect(
                emails(try await api.personViews(query: "platforms=slack,zoom"))
                    == emails(everyone.filter { $0.activePlatforms.contains(.slack) && $0.activePlatforms.contains(.zoom) }))
            #expect(
                try await api.call(.get, "/v1/orgs/acme/people?primary_platfrom=slack").decode(ProblemReply.self).code == "unknown_query_parameter")
            #expect(try await api.personViews(query: "sync_status=not_created").count == everyone.count)
            #expect(try await api.personViews(query: "sync_status=synced").isEmpty)
            let target = try #require(everyone.first { $0.displayName?.isEmpty == false })
            let name = try #require(target.displayName)
            let byName = try await api.personViews(query: "q=\(name.uppercased().split(separator: " ")[0])")
            #expect(byName.contains { $0.id == target.id })
            let email = target.email
            let byEmail = try await api.personViews(query: "q=\(email.prefix(upTo: email.firstIndex(of: "@")!))")
            #expect(byEmail.map(\.id) == [target.id])
        }
    }

    @Test("sorted by name or email, either way; cursors neither skip nor repeat while people are added")
    func sortingAndStableCursors() async throws {
        try await withSimulatedAPI(organizations: [("acme", 120)]) { api in
            let (slack, _) = try await imported(api)
            for sort in ["email", "-email"] {
                let emails = try await api.personViews(query: "sort=\(sort)").map(\.email)
                #expect(emails == (sort == "email" ? emails.sorted() : emails.sorted(by: >)))
            }
            let names = try await api.personViews(query: "sort=name").map { ($0.displayName ?? $0.email).lowercased() }
            #expect(names == names.sorted())

            let before = Set(try await api.personViews().map(\.id))
            var seen: [String] = []
            var cursor: String?
            var page = 0
            repeat {
                let reply = try await api.call(.get, "/v1/orgs/acme/people?limit=17&sort=email" + (cursor.map { "&cursor=\($0)" } ?? ""))
                let people = try reply.decode(Page<PersonView>.self)
                seen += people.items.map(\.id)
                cursor = people.nextCursor
                page += 1
                if page == 2 {
                    // New hires land before and after the cursor while the client pages.
                    for email in ["aaa.first@acme.example.com", "zzz.last@acme.example.com"] {
                        _ = api.simulator.addUser(organization: "acme", platform: .slack, email: email, displayName: nil)
                    }
                    _ = try await api.importAndWait(slack)
                }
            } while cursor != nil
            #expect(seen.count == Set(seen).count, "a person was listed twice")
            #expect(before.isSubset(of: Set(seen)), "a person who was there all along was skipped")
            let first = try await api.call(.get, "/v1/orgs/acme/people?limit=1&sort=email").decode(Page<PersonView>.self)
            let wrongOrder = try await api.call(.get, "/v1/orgs/acme/people?sort=name&cursor=\(try #require(first.nextCursor))")
            #expect(wrongOrder.status == .badRequest)
            #expect(try wrongOrder.decode(ProblemReply.self).code == "invalid_cursor")
        }
    }

    @Test("a person's page, and unknown or malformed ids")
    func onePerson() async throws {
        try await withSimulatedAPI { api in
            _ = try await imported(api)
            let first = try #require(try await api.personViews().first)
            let person = try await api.call(.get, "/v1/orgs/acme/people/\(first.id)")
            #expect(person.status == .ok)
            let shown = try person.decode(PersonView.self)
            #expect(shown.email == first.email)
            // Decoding the account is what checks its members: platform, platform_user_id, emails,
            // active and connection_id are required there.
            let account = try #require(shown.accounts.first)
            #expect(!account.platformUserId.isEmpty && !account.connectionId.isEmpty, "\(account)")
            #expect(try await api.call(.get, "/v1/orgs/acme/people/\(UUID())").decode(ProblemReply.self).code == "person_not_found")
            #expect(try await api.call(.get, "/v1/orgs/acme/people/nope").decode(ProblemReply.self).code == "invalid_path_parameter")
            for query in ["sort=age", "limit=0", "platform=myspace", "sync_status=done", "deactivated=maybe", "connection_id=x"] {
                let reply = try await api.call(.get, "/v1/orgs/acme/people?\(query)")
                #expect(reply.status == .badRequest, "\(query): \(reply.text)")
                #expect(try reply.decode(ProblemReply.self).code == "invalid_query_parameter", "\(query)")
            }
        }
    }

    @Test("the CSV export lists the same people, streamed, with formulas defused")
    func csvExport() async throws {
        try await withSimulatedAPI(organizations: [("acme", 150)]) { api in
            let (slack, _) = try await imported(api)
            _ = api.simulator.addUser(organization: "acme", platform: .slack, email: "formula@acme.example.com", displayName: "=HYPERLINK(\"x\")")
            _ = try await api.importAndWait(slack)
            let people = try await api.personViews()
            for (uri, headers) in [("/v1/orgs/acme/people.csv", HTTPFields()), ("/v1/orgs/acme/people", [.accept: "text/csv"])]
                as [(String, HTTPFields)]
            {
                let reply = try await api.call(.get, uri, headers: headers)
                #expect(reply.status == .ok)
                #expect(reply.headers[.contentType]?.hasPrefix("text/csv") == true)
                let lines = reply.text.split(separator: "\r\n")
                #expect(lines.first?.hasPrefix("person_id,email,display_name,primary_platform") == true)
                #expect(lines.count == people.count + 1, "\(uri)")
                #expect(reply.text.lowercased().contains("\"'=hyperlink(\"\"x\"\")\""), "a formula must be defused and quoted")
            }
            let filtered = try await api.call(.get, "/v1/orgs/acme/people.csv?platform=zoom")
            #expect(filtered.text.split(separator: "\r\n").count == people.filter { $0.accountPlatforms.contains(.zoom) }.count + 1)
            #expect(try await api.call(.get, "/v1/orgs/acme/people.csv?sort=nope").status == .badRequest)
        }
    }
}
