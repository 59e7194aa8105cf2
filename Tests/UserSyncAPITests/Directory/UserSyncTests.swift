import Foundation
import HTTPTypes
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport

/// User Sync end to end: primaries, bulk syncs in every mode, consent through the simulated
/// platforms' authorize pages, and the prompts the people received.
@Suite struct UserSyncTests {
    @Test("everyone synced onto every other platform: links consented, stand-ins created, Zoom without an account failed")
    func everyoneEverywhere() async throws {
        try await withSimulatedAPI(organizations: [("acme", 2_000)]) { api in
            try await Self.syncEveryoneEverywhere(api)
        }
    }

    @Test("with 10% of platform calls rate-limited or failing, the same run converges with no duplicate prompts")
    func everyoneEverywhereThroughFaults() async throws {
        try await withSimulatedAPI(organizations: [("acme", 200)]) { api in
            try await Self.syncEveryoneEverywhere(api) {
                api.simulator.addFault(FaultRule(kind: .rateLimit, probability: 0.04, retryAfter: 0.05))
                // Longer than the connectors wait in place: the worker snoozes those syncs.
                api.simulator.addFault(FaultRule(kind: .rateLimit, probability: 0.01, retryAfter: 6))
                api.simulator.addFault(FaultRule(kind: .serverError, probability: 0.05))
            }
            let faults = api.simulator.calls().filter { $0.key.hasSuffix(" 429") || $0.key.hasSuffix(" 503") }.values.reduce(0, +)
            #expect(faults > 20, "faults were injected: \(faults)")
        }
    }

    static func syncEveryoneEverywhere(_ api: API, faults: () -> Void = {}) async throws {
        try await api.createOrganization("acme")
        let connected = try await api.connectAndImportAll()
        try await api.choosePrimaries()
        faults()
        let tallies = try await api.syncEveryone(connected)
        #expect(tallies.values.allSatisfy { ($0["created"] ?? 0) > 0 }, "\(tallies)")
        try await api.waitForSyncsToSettle()

        // Exactly one prompt per link sync, on the person's primary platform, to their account there.
        let people = Dictionary(try await api.personViews().map { ($0.id, $0) }) { a, _ in a }
        let syncs = try await api.syncs()
        let links = syncs.filter { $0.mode == "link" }
        let messages = api.simulator.messages(organization: "acme")
        #expect(messages.count == links.count, "\(messages.count) prompts for \(links.count) link syncs")
        var expected: [String: Int] = [:]
        for link in links {
            let person = try #require(people[link.person])
            let primary = try #require(person.primaryPlatform)
            let home = person.accounts.first { $0.platform == primary && $0.active }
            expected["\(primary.rawValue) \(try #require(home?.platformUserId))", default: 0] += 1
        }
        let received = Dictionary(messages.map { ("\($0.platform.rawValue) \($0.to)", 1) }, uniquingKeysWith: +)
        #expect(received == expected, "prompts per person and platform")

        // Each person answers their prompts: they sign in as themselves and allow.
        let owners = Dictionary(
            people.values.flatMap { person in person.accounts.map { ($0.platformUserId, person.email) } }
        ) { a, _ in a }
        let answers = try messages.map { (link: try #require($0.link), email: try #require(owners[$0.to])) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = answers[...]
            func next() {
                guard let (link, email) = pending.popFirst() else { return }
                group.addTask {
                    var page = try await api.answerConsent(link, login: email)
                    // A platform that failed or rate-limited mid-sign-in: the person opens the link
                    // again a little later.
                    for _ in 0..<8 where page.status != .ok {
                        try await Task.sleep(for: .seconds(2))
                        page = try await api.answerConsent(link, login: email)
                    }
                    #expect(page.status == .ok, "\(page.text)")
                }
            }
            for _ in 0..<8 { next() }
            while try await group.next() != nil { next() }
        }
        for sync in try await api.syncs() {
            if sync.cause == "secondary_account_deactivated" {
                let accounts = try #require(people[sync.person]?.accounts)
                #expect(sync.status == "failed")
                #expect(accounts.contains { $0.platform.rawValue == sync.platform && $0.active == false }, "\(sync)")
            } else if sync.platform == "zoom" && sync.mode == "virtual" {
                #expect(sync.status == "failed" && sync.cause == "secondary_account_required", "\(sync)")
            } else {
                #expect(sync.status == "synced", "\(sync)")
            }
        }
        #expect(syncs.contains { $0.mode == "virtual" && $0.platform == "teams" })
        #expect(!api.simulator.invitations(organization: "acme").isEmpty)
        #expect(
            Set(api.simulator.invitations(organization: "acme").map(\.email)).count == api.simulator.invitations(organization: "acme").count,
            "one guest per person")
    }
}
