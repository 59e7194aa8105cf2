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
        try await withSimulatedAPI(organizations: [("acme", 150)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            try await api.choosePrimaries()
            let tallies = try await api.syncEveryone(connected)
            #expect(tallies.values.allSatisfy { ($0["created"] ?? 0) > 0 }, "\(tallies)")
            try await api.waitForSyncsToSettle()

            // Exactly one prompt per link sync, on the person's primary platform, to their account there.
            let people = Dictionary(try await api.allPeople().map { ($0["id"] as! String, $0) }) { a, _ in a }
            let links = try await api.syncs().filter { $0.mode == "link" }
            let messages = api.simulator.messages(organization: "acme")
            #expect(messages.count == links.count, "\(messages.count) prompts for \(links.count) link syncs")
            for link in links {
                let person = try #require(people[link.person])
                let primary = try #require(person.primaryPlatform)
                let home = (person["accounts"] as? [[String: Any]] ?? []).first {
                    $0["platform"] as? String == primary.rawValue && $0["active"] as? Bool == true
                }
                let to = try #require(home?["platform_user_id"] as? String)
                #expect(messages.filter { $0.to == to && $0.platform == primary }.count >= 1)
            }
            #expect(Set(messages.map(\.to)).count <= messages.count)

            // Each person answers their prompts: they sign in as themselves and allow.
            for message in messages {
                let link = try #require(message.link)
                let person = try #require(people.values.first { person in
                    (person["accounts"] as? [[String: Any]] ?? []).contains { $0["platform_user_id"] as? String == message.to }
                })
                let page = try await api.answerConsent(link, login: person["email"] as! String)
                #expect(page.status == .ok, "\(page.text)")
            }
            let settled = try await api.syncs()
            for sync in settled {
                if sync.cause == "secondary_account_deactivated" {
                    #expect(sync.status == "failed")
                } else if sync.platform == "zoom" && sync.mode == "virtual" {
                    #expect(sync.status == "failed" && sync.cause == "secondary_account_required", "\(sync)")
                } else {
                    #expect(sync.status == "synced", "\(sync)")
                }
            }
            #expect(settled.contains { $0.mode == "virtual" && $0.platform == "teams" && $0.status == "synced" })
            #expect(!api.simulator.invitations(organization: "acme").isEmpty)
        }
    }
}
