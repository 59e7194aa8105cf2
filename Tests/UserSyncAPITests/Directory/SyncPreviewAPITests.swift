import Foundation
import Testing
import UserSyncDomain

/// The sync preview: what starting a sync would do, for every mode, with nothing changed; and
/// the bulk preview's counts are what starting the syncs then does.
@Suite struct SyncPreviewAPITests {
    func preview(_ api: API, _ person: String, onto connection: String) async throws -> SyncPreviewView {
        let reply = try await api.call(.post, "/v1/orgs/acme/people/\(person)/syncs/preview", json: #"{"connection_id":"\#(connection)"}"#)
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode()
    }

    @Test func everyModeIsForeseenAndNothingChanges() async throws {
        try await withSimulatedAPI(organizations: [("acme", 300)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            let connections = connected.connections
            try await api.choosePrimaries()
            let people = try await api.personViews()
            func on(_ person: PersonView, _ platform: Platform, active: Bool? = nil) -> Bool {
                person.accounts.contains { $0.platform == platform && (active == nil || $0.active == active) }
            }
            func lives(_ person: PersonView, _ platform: Platform) -> Bool { person.primary?.platform == platform }
            let slackOnly = try #require(people.first { lives($0, .slack) && !on($0, .teams) && !on($0, .webex) && !on($0, .zoom) })
            let slackAndTeams = try #require(people.first { lives($0, .slack) && on($0, .teams, active: true) })
            let inactiveThere = try #require(
                people.first { person in
                    Platform.allCases.contains { platform in
                        !lives(person, platform) && on(person, platform, active: false) && !on(person, platform, active: true)
                    }
                        && person.primary != nil
                })
            let inactivePlatform = try #require(
                Platform.allCases.first { on(inactiveThere, $0, active: false) && !on(inactiveThere, $0, active: true) && !lives(inactiveThere, $0) })

            let cases: [(PersonView, Platform, String, String?, Bool)] = [
                (slackOnly, .teams, "guest", "virtual", true),
                (slackOnly, .webex, "bot_persona", "virtual", true),
                (slackOnly, .zoom, "secondary_account_required", nil, false),
                (slackAndTeams, .teams, "link", "link", true),
                (slackOnly, .slack, "secondary_is_primary", nil, false),
                (inactiveThere, inactivePlatform, "secondary_account_deactivated", nil, false),
            ]
            let syncsBefore = try await api.db.scalar("SELECT count(*) FROM syncs")
            for (person, platform, expectation, mode, works) in cases {
                let answer = try await preview(api, person.id, onto: connections[platform]!)
                #expect(answer.expectation == expectation, "\(person.email) onto \(platform)")
                #expect(answer.mode == mode)
                #expect(answer.canWork == works)
                #expect(answer.createsSync == (expectation != "secondary_is_primary"))
                #expect(answer.platform == platform)
                #expect(!answer.message.isEmpty)
            }
            #expect(try await preview(api, slackAndTeams.id, onto: connections[.teams]!).message.contains("message from the UserSync bot on Slack"))
            #expect(try await api.db.scalar("SELECT count(*) FROM syncs") == syncsBefore, "a preview changes nothing")
            #expect(try await api.db.scalar("SELECT count(*) FROM jobs WHERE kind = 'sync.run'") == 0)

            // Once started, the sync exists; a person without a primary cannot be synced.
            let started = try await api.call(
                .post, "/v1/orgs/acme/people/\(slackAndTeams.id)/syncs", json: #"{"connection_id":"\#(connections[.teams]!)"}"#)
            #expect(started.status == .created)
            let exists = try await preview(api, slackAndTeams.id, onto: connections[.teams]!)
            #expect(exists.expectation == "exists")
            #expect(exists.existingStatus != nil && !exists.createsSync)
            let reset = try await api.call(.put, "/v1/orgs/acme/people/\(slackOnly.id)/primary", json: #"{"platform":"slack"}"#)
            #expect(reset.status == .ok)
            let undecided = try await api.personViews(query: "needs_primary_choice=true")
            if let nobody = undecided.first {
                #expect(try await preview(api, nobody.id, onto: connections[.teams]!).expectation == "no_primary")
            }
        }
    }

    @Test func theBulkPreviewCountsWhatStartingTheSyncsThenDoes() async throws {
        try await withSimulatedAPI(organizations: [("acme", 200)]) { api in
            try await api.createOrganization("acme")
            let connected = try await api.connectAndImportAll()
            // Some people keep no primary, so the preview has them to count.
            let chosen = try await api.call(
                .post, "/v1/orgs/acme/people/primary", json: #"{"platform":"slack","filter":{"needs_primary_choice":true}}"#)
            #expect(chosen.status == .ok)
            #expect(!(try await api.personViews(query: "needs_primary_choice=true")).isEmpty)
            let zoom = connected.connections[.zoom]!
            let body = #"{"connection_id":"\#(zoom)","filter":{}}"#
            let preview = try await api.call(.post, "/v1/orgs/acme/syncs/preview", json: body)
            #expect(preview.status == .ok, "\(preview.text)")
            let counts = try preview.decode(BulkSyncPreviewView.self)
            #expect(counts.total == (try await api.personViews()).count)
            #expect(counts.counts["secondary_account_required", default: 0] > 0)
            #expect(counts.counts["link", default: 0] > 0)
            #expect(counts.counts["no_primary", default: 0] > 0)
            #expect(try await api.db.scalar("SELECT count(*) FROM syncs") == 0)
            let started = try await api.call(.post, "/v1/orgs/acme/syncs", json: body).decode(TallyView.self)
            let creating = ["link", "guest", "bot_persona", "secondary_account_required", "secondary_account_deactivated"]
            #expect(started.counts["created", default: 0] == creating.reduce(0) { $0 + counts.counts[$1, default: 0] })
            #expect(started.counts["no_primary", default: 0] == counts.counts["no_primary", default: 0])
            #expect(started.counts["secondary_is_primary", default: 0] == counts.counts["secondary_is_primary", default: 0])
            // By ids, with bad input refused like the bulk sync's.
            let refused = try await api.call(.post, "/v1/orgs/acme/syncs/preview", json: #"{"connection_id":"\#(zoom)"}"#)
            #expect(refused.status == .unprocessableContent)
        }
    }
}
