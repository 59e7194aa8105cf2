import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTesting

/// The organization's relay policy: restricted people do not message across platforms (the
/// sender is told why), and files cross as links only where the policy allows — separately for
/// messages a stand-in carries. One test at a time: each changes the organization's policy or
/// restricted list, which the others read.
@Suite(.relayOrganization, .serialized) struct RelayPolicyTests {
    var relay: RelayOrganization.Fixture { RelayOrganization.current! }

    struct PolicyView: Decodable {
        let filesAllowed: Bool
        let standInFilesAllowed: Bool
    }

    struct RestrictionView: Decodable {
        let personId: String
        let createdBy: String
    }

    func setPolicy(_ json: String) async throws -> PolicyView {
        let reply = try await relay.api.call(.patch, "/v1/orgs/acme/relay/policy", json: json)
        #expect(reply.status == .ok, "\(reply.text)")
        return try reply.decode(PolicyView.self)
    }

    @Test func aRestrictedPersonIsNotReachedAcrossPlatformsAndTheSenderIsToldWhy() async throws {
        let sender = relay.member(.slackPeer), recipient = relay.member(.webexOnly)
        #expect(try await relay.api.call(.put, "/v1/orgs/acme/relay/restricted/\(recipient.id)").status == .created)
        #expect(try await relay.api.call(.put, "/v1/orgs/acme/relay/restricted/\(recipient.id)").status == .noContent)
        let listed = try await relay.api.call(.get, "/v1/orgs/acme/relay/restricted").decode(Page<RestrictionView>.self).items
        #expect(listed.map(\.personId) == [recipient.id])

        try relay.write(.slack, from: sender, to: "bot", "\(recipient.email): restricted words")
        #expect(
            try await eventually(.seconds(60), "the message is held back") {
                try await relay.ledger(person: recipient.id, state: "notified").contains { $0.cause == "restricted" }
            })
        #expect(
            try await eventually(.seconds(60), "the sender is told why") {
                relay.simulator.messages(organization: "acme").contains { $0.to == sender.user(.slack) && $0.text.contains("does not allow") }
            })
        #expect(!relay.inbox(.webex, of: recipient).contains { $0.text.contains("restricted words") })

        #expect(try await relay.api.call(.delete, "/v1/orgs/acme/relay/restricted/\(recipient.id)").status == .noContent)
        #expect(try await relay.api.call(.delete, "/v1/orgs/acme/relay/restricted/\(recipient.id)").status == .notFound)
        try relay.write(.slack, from: sender, to: "bot", "\(recipient.email): free words")
        _ = try await relay.received(.webex, by: recipient, containing: "free words")
    }

    /// A delivery run reuses a message's route and policy for the conversation's next messages
    /// for a second (`RelaySettings.runReadReuse`), no longer: a restriction made while the run
    /// is busy with one message reaches the next one it delivers.
    @Test func aRestrictionReachesTheNextMessageOfARunAlreadyUnderWay() async throws {
        let sender = relay.member(.zoomOnly), recipient = relay.member(.slackLinkedToZoom)
        // Slack takes two seconds over each post: the run is still posting the first message
        // when the restriction is made and the second message is written.
        relay.simulator.addFault(FaultRule(platform: .slack, endpoint: "chat.postMessage", kind: .latency, latencyMs: 2_000))
        defer { relay.simulator.clearFaults() }
        let posts = relay.simulator.calls(.slack, "chat.postMessage")
        try relay.write(.zoom, from: sender, to: recipient.user(.zoom), "planned before the restriction")
        #expect(
            try await eventually(.seconds(60), "the first message's post has begun (its route read)") {
                relay.simulator.calls(.slack, "chat.postMessage") > posts
            })
        #expect(try await relay.api.call(.put, "/v1/orgs/acme/relay/restricted/\(recipient.id)").status == .created)
        try relay.write(.zoom, from: sender, to: recipient.user(.zoom), "written after the restriction")

        _ = try await relay.received(.slack, by: recipient, containing: "planned before the restriction")
        #expect(
            try await eventually(.seconds(60), "the second message is held back") {
                try await relay.ledger(person: recipient.id, state: "notified").contains { $0.cause == "restricted" }
            })
        #expect(!relay.inbox(.slack, of: recipient).contains { $0.text.contains("written after the restriction") })
        #expect(try await relay.api.call(.delete, "/v1/orgs/acme/relay/restricted/\(recipient.id)").status == .noContent)
    }

    @Test func filesCrossAsLinksOnlyWhereThePolicyAllows() async throws {
        let sender = relay.member(.slackOnly), recipient = relay.member(.teamsOnly)
        #expect(try await relay.api.call(.get, "/v1/orgs/acme/relay/policy").decode(PolicyView.self).filesAllowed)
        let file = SimChatFile(name: "plan.pdf", url: "https://files.example.com/plan.pdf", size: 2048)
        func send(_ words: String) throws {
            _ = try relay.simulator.writeMessage(
                organization: "acme", platform: .slack,
                SimChatWrite(from: sender.user(.slack), to: "bot", text: "\(recipient.email): \(words)", files: [file]))
        }
        try send("with a file")
        let linked = try await relay.received(.teams, by: recipient, containing: "with a file")
        #expect(linked.text.contains("https://files.example.com/plan.pdf") && linked.text.contains("plan.pdf"), "\(linked.text)")

        // The stand-in carries this conversation, so withholding stand-ins' files withholds these.
        #expect(try await setPolicy(#"{"stand_in_files_allowed": false}"#).standInFilesAllowed == false)
        try send("without the file")
        let withheld = try await relay.received(.teams, by: recipient, containing: "without the file")
        #expect(!withheld.text.contains("files.example.com") && withheld.text.contains("not relayed"), "\(withheld.text)")
        _ = try await setPolicy(#"{"stand_in_files_allowed": true}"#)
    }

    @Test func thePolicyRefusesWhatItDoesNotKnow() async throws {
        for body in [#"{"files": false}"#, #"{"files_allowed": "no"}"#, "{}"] {
            let reply = try await relay.api.call(.patch, "/v1/orgs/acme/relay/policy", json: body)
            #expect(reply.status.code / 100 == 4, "\(body): \(reply.status) \(reply.text)")
        }
        let viewer = try await relay.api.createKey("acme", role: "viewer")
        let refused = try await relay.api.call(.patch, "/v1/orgs/acme/relay/policy", token: viewer.secret, json: #"{"files_allowed": false}"#)
        #expect(refused.status == .forbidden)
        let nobody = try await relay.api.call(.put, "/v1/orgs/acme/relay/restricted/\(UUID().uuidString.lowercased())")
        #expect(nobody.status == .notFound)
    }
}
