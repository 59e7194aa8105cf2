import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// Connect, select teams, import and match people, end to end: API → Postgres → job → worker →
/// connector → simulator → Postgres.
@Suite struct ImportTests {
    @Test("all four platforms imported: exactly the people, overlaps and primary defaults the seed implies")
    func importsTheSeededOrganization() async throws {
        try await withSimulatedAPI(organizations: [("acme", 120)]) { api in
            try await api.createOrganization("acme")
            var connections: [Platform: String] = [:]
            for platform in Platform.allCases { connections[platform] = try await api.connect(platform) }
            for platform in [Platform.teams, .webex] { _ = try await api.selectAllTeams(connections[platform]!) }
            for platform in Platform.allCases {
                let run = try await api.importAndWait(connections[platform]!)
                #expect(run.state == "succeeded", "\(platform): \(run)")
                // The seed's bots: Slack's and Slackbot (a bot by its id), and Webex's, which are
                // members of a team (only members of selected teams count).
                let bots: [Platform: Int] = [.slack: 120 / 100 + 2, .teams: 0, .zoom: 0, .webex: 120 / 200 + 1]
                #expect(run.counts.botsSkipped == bots[platform], "\(platform): \(run)")
            }
            let expected = ExpectedPerson.from(api.simulator, organization: "acme", platforms: Set(Platform.allCases))
            let people = try await api.personViews()
            #expect(people.count == expected.count)
            var mismatches: [String] = []
            for person in people {
                let email = person.email
                guard let want = expected[email] else {
                    mismatches.append("unexpected person \(email)")
                    continue
                }
                if person.accountPlatforms != want.platforms { mismatches.append("\(email): accounts \(person.accountPlatforms) want \(want)") }
                if person.activePlatforms != want.activePlatforms { mismatches.append("\(email): active \(person.activePlatforms) want \(want)") }
                if person.needsPrimaryChoice != want.needsPrimaryChoice { mismatches.append("\(email): needs choice, want \(want)") }
                if person.primaryPlatform != want.defaultPrimary {
                    mismatches.append("\(email): primary \(String(describing: person.primaryPlatform)), want \(want)")
                }
                if person.allAccountsDeactivated != want.allDeactivated {
                    mismatches.append("\(email): deactivated flag, want \(want)")
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
            #expect(expected.values.contains { $0.platforms.count >= 3 }, "the seed should put someone on three platforms")
        }
    }
}

extension ImportTests {
    @Test("re-importing an unchanged organization changes nothing")
    func unchangedReimportChangesNothing() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            var connections: [String] = []
            for platform in Platform.allCases {
                let connection = try await api.connect(platform)
                if platform.importsSelectedTeams { _ = try await api.selectAllTeams(connection) }
                connections.append(connection)
            }
            for connection in connections { _ = try await api.importAndWait(connection) }
            let before = try await api.personViews()
            for connection in connections {
                let run = try await api.importAndWait(connection)
                let counts = run.counts
                #expect(run.state == "succeeded")
                let changes: [(String, KeyPath<ImportRunView.Counts, Int>)] = [
                    ("accounts_added", \.accountsAdded), ("accounts_updated", \.accountsUpdated),
                    ("accounts_reactivated", \.accountsReactivated), ("accounts_deactivated", \.accountsDeactivated),
                ]
                for (key, count) in changes {
                    #expect(counts[keyPath: count] == 0, "\(key) on re-import: \(counts)")
                }
                #expect(counts.accountsSeen > 0)
            }
            let after = try await api.personViews()
            #expect(after.map(\.updatedAt) == before.map(\.updatedAt))
            #expect(after.count == before.count)
        }
    }

    @Test("an email change moves the account to the right person and a deactivation is flagged, never deleted")
    func upstreamChangesAreReflected() async throws {
        try await withSimulatedAPI(organizations: [("acme", 150)]) { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            let zoom = try await api.connect(.zoom)
            _ = try await api.importAndWait(slack)
            _ = try await api.importAndWait(zoom)
            let seeded = api.simulator.people(organization: "acme", limit: 1_000) ?? []
            func only(_ platforms: Set<Platform>) -> SimPerson? {
                seeded.first { person in
                    Set(person.accounts.map(\.platform)).intersection([.slack, .zoom]) == platforms
                        && person.accounts.allSatisfy { $0.active && !$0.pending }
                }
            }
            let renamed = try #require(only([.slack]))
            let split = try #require(only([.slack, .zoom]))
            let leaver = try #require(
                seeded.first { p in p.accounts.count == 1 && p.accounts[0].platform == .zoom && p.accounts[0].active && !p.accounts[0].pending })
            let removed = try #require(seeded.first { p in p.accounts.count == 1 && p.accounts[0].platform == .slack && p.email != renamed.email })
            let peopleBefore = try await api.personViews()
            let renamedID = try #require(peopleBefore.first { $0.email == renamed.email }?.id)
            let splitID = try #require(peopleBefore.first { $0.email == split.email }?.id)
            #expect(peopleBefore.first { $0.id == splitID }?.needsPrimaryChoice == true)

            let slackOf = { (person: SimPerson) in person.accounts.first { $0.platform == .slack }!.id }
            #expect(
                api.simulator.changeUser(
                    organization: "acme", platform: .slack, id: slackOf(renamed), SimUserChange(email: "Renamed.Person@Acme.example.com")))
            #expect(
                api.simulator.changeUser(
                    organization: "acme", platform: .slack, id: slackOf(split), SimUserChange(email: "split.off@acme.example.com")))
            #expect(api.simulator.changeUser(organization: "acme", platform: .zoom, id: leaver.accounts[0].id, SimUserChange(active: false)))
            #expect(api.simulator.changeUser(organization: "acme", platform: .slack, id: slackOf(removed), SimUserChange(removed: true)))

            let slackRun = try await api.importAndWait(slack)
            let zoomRun = try await api.importAndWait(zoom)
            let slackCounts = slackRun.counts
            #expect(slackCounts.accountsUpdated == 2, "\(slackCounts)")
            #expect(slackCounts.accountsDeactivated == 1, "\(slackCounts)")
            #expect(zoomRun.counts.accountsDeactivated == 1)

            let people = try await api.personViews()
            #expect(people.count == peopleBefore.count + 1, "one new person (the split-off address), nobody duplicated")
            let byEmail = Dictionary(people.map { ($0.email, $0) }) { first, _ in first }
            // The renamed person keeps their identity under the new address.
            #expect(byEmail["renamed.person@acme.example.com"]?.id == renamedID)
            #expect(byEmail[renamed.email] == nil)
            // The split account is a person of its own; the old person keeps Zoom, now their default.
            #expect(byEmail["split.off@acme.example.com"]?.accountPlatforms == [.slack])
            let remaining = try #require(byEmail[split.email])
            #expect(remaining.id == splitID)
            #expect(remaining.accountPlatforms == [.zoom])
            #expect(remaining.needsPrimaryChoice == false)
            #expect(remaining.primaryPlatform == .zoom)
            // The leaver and the removed user are kept, flagged, with the reason and the time.
            for (email, reason) in [(leaver.email, "deactivated_upstream"), (removed.email, "removed_upstream")] {
                let person = try #require(byEmail[email], "\(email) must still be listed")
                #expect(person.allAccountsDeactivated == true)
                let account = try #require(person.accounts.first)
                #expect(account.active == false)
                #expect(account.deactivationReason == reason)
                #expect(account.deactivatedAt != nil)
            }
            let flagged = try await api.personViews(query: "deactivated=true").map(\.email)
            #expect(Set([leaver.email, removed.email]).isSubset(of: Set(flagged)))
        }
    }

    @Test("429s and 5xx during an import: the run completes with the same exact counts as a clean one")
    func faultsDoNotChangeTheOutcome() async throws {
        try await withSimulatedAPI(organizations: [("acme", 400)]) { api in
            for org in ["clean", "faulty"] { try await api.createOrganization(org) }
            func importAll(_ org: String) async throws -> [Platform: ImportRunView] {
                var runs: [Platform: ImportRunView] = [:]
                for platform in Platform.allCases {
                    let connection = try await api.connect(platform, org: org)
                    if platform.importsSelectedTeams { _ = try await api.selectAllTeams(connection, org: org) }
                    runs[platform] = try await api.importAndWait(connection, org: org)
                }
                return runs
            }
            let clean = try await importAll("clean")
            for endpoint in ["users.list", "users", "people", "team.members", "team.memberships"] {
                api.simulator.addFault(FaultRule(endpoint: endpoint, kind: .rateLimit, every: 3, retryAfter: 0.2))
                api.simulator.addFault(FaultRule(endpoint: endpoint, kind: .serverError, every: 4))
            }
            let faulty = try await importAll("faulty")
            api.simulator.clearFaults()
            #expect(api.simulator.calls().filter { $0.key.hasSuffix(" 429") || $0.key.hasSuffix(" 503") }.values.reduce(0, +) > 10)
            for platform in Platform.allCases {
                let a = try #require(clean[platform]?.counts)
                let b = try #require(faulty[platform]?.counts)
                #expect(faulty[platform]?.state == "succeeded", "\(platform): \(String(describing: faulty[platform]))")
                let compared: [(String, KeyPath<ImportRunView.Counts, Int>)] = [
                    ("accounts_seen", \.accountsSeen), ("accounts_added", \.accountsAdded), ("accounts_updated", \.accountsUpdated),
                    ("accounts_deactivated", \.accountsDeactivated), ("bots_skipped", \.botsSkipped),
                ]
                for (key, count) in compared {
                    #expect(a[keyPath: count] == b[keyPath: count], "\(platform) \(key): clean \(a[keyPath: count]) faulty \(b[keyPath: count])")
                }
            }
            let summary = { (org: String) in
                Set(try await api.personViews(org: org).map { "\($0.email) \($0.activePlatforms.map(\.rawValue).sorted())" })
            }
            let cleanPeople = try await summary("clean"), faultyPeople = try await summary("faulty")
            #expect(cleanPeople == faultyPeople, "differ: \(cleanPeople.symmetricDifference(faultyPeople).sorted().prefix(5))")
        }
    }

    @Test("a long Retry-After snoozes the import without spending an attempt, and the run says until when")
    func rateLimitSnoozes() async throws {
        try await withSimulatedAPI { api in
            try await api.createOrganization("acme")
            let slack = try await api.connect(.slack)
            // Longer than the test connectors wait in place (5 s): the job must snooze.
            api.simulator.addFault(FaultRule(platform: .slack, endpoint: "users.list", kind: .rateLimit, times: 1, retryAfter: 7))
            let started = try await api.call(.post, "/v1/orgs/acme/connections/\(slack)/imports")
            let id = try started.decode(ImportRunView.self).id
            var seen: ImportRunView?
            try await eventually(.seconds(60)) {
                let current = try await api.call(.get, "/v1/orgs/acme/imports/\(id)").decode(ImportRunView.self)
                seen = current
                return current.waitingUntil != nil
            }
            let waiting = try #require(seen)
            #expect(waiting.state == "running", "\(waiting)")
            #expect(waiting.waitingUntil != nil, "the run shows until when it waits: \(waiting)")
            #expect(waiting.lastError?.contains("rate_limited") == true)
            let run = try await api.waitForImport(id)
            #expect(run.state == "succeeded")
            #expect(run.waitingUntil == nil)
            let job = try await api.call(.get, "/v1/orgs/acme/jobs/\(run.jobId ?? "0")")
            #expect(try job.decode(JobView.self).attempts == 1, "snoozing spent no attempt: \(job.text)")
        }
    }

    @Test("deselecting a team deactivates the accounts that were only in it")
    func deselectedTeamsLeaveScope() async throws {
        try await withSimulatedAPI(organizations: [("acme", 200)]) { api in
            try await api.createOrganization("acme")
            let teams = try await api.connect(.teams)
            let all = try await api.selectAllTeams(teams)
            _ = try await api.importAndWait(teams)
            let dropped = all[0]
            let reply = try await api.call(.post, "/v1/orgs/acme/connections/\(teams)/teams/selection", json: #"{"deselect":["\#(dropped)"]}"#)
            #expect(reply.status == .ok)
            #expect(try reply.decode(Page<TeamView>.self).items.first { $0.platformTeamId == dropped }?.selected == false)
            let run = try await api.importAndWait(teams)
            let expected = ExpectedPerson.from(api.simulator, organization: "acme", platforms: [.teams], selectedTeams: Set(all.dropFirst()))
            let everyone = ExpectedPerson.from(api.simulator, organization: "acme", platforms: [.teams])
            // Accounts that were active and are in no selected team any more.
            let leftScope = everyone.filter { expected[$0.key] == nil && !$0.value.activePlatforms.isEmpty }.keys
            #expect(!leftScope.isEmpty, "the dropped team should have had members in no other team")
            #expect(run.counts.accountsDeactivated >= leftScope.count)
            let people = Dictionary(try await api.personViews().map { ($0.email, $0) }) { a, _ in a }
            for email in leftScope {
                let account = people[email]?.accounts.first
                #expect(account?.active == false)
                #expect(account?.deactivationReason == "not_in_selected_teams")
            }
        }
    }

    @Test("an import that grows an organization has the planner's statistics refreshed by a job of their own, not by waiting for it")
    func statisticsAreRefreshedByTheirOwnJob() async throws {
        try await withSimulatedAPI(organizations: [("acme", 2_400)]) { api in
            try await api.createOrganization("acme")
            let small = try await api.importAndWait(try await api.connect(.zoom))
            #expect(small.counts.accountsAdded < 1_000)
            #expect(try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'directory.statistics'") == 0, "a small change asks for none")

            let run = try await api.importAndWait(try await api.connect(.slack))
            #expect(run.counts.accountsAdded >= 1_000)
            let refreshed = "SELECT count(*) FROM jobs WHERE kind = 'directory.statistics' AND state = 'succeeded'"
            try await eventually(.seconds(60), "the refresh ran") { try await api.db.scalar(refreshed) >= 1 }
            // Asked for when the import passed 1,000 new accounts and at its end: one job while one waits.
            #expect(try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'directory.statistics'") <= 2)
            #expect(try await api.db.scalar("SELECT reltuples::bigint FROM pg_class WHERE relname = 'platform_accounts'") >= 1_000)
        }
    }
}
