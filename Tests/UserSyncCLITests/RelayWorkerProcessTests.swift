import Foundation
import Testing
import UserSyncDomain
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting

#if canImport(Glibc)
    import Glibc
#endif

/// The relay's acceptance test of issue 14 with real processes: `usersync serve` receives the
/// platforms' events, `usersync work` delivers them and is killed with SIGKILL in the middle of a
/// burst (with posts to Slack and Teams under way), and a new worker finishes. Nothing is lost and
/// nothing is sent twice: a post the platform took as the worker died, before the ledger could
/// record it, is found again (Slack by its metadata, Teams by author and text in the chat) and
/// recorded instead of posted again.
@Suite struct RelayWorkerProcessTests {
    typealias Person = RelayProcessOrganization.Person

    /// One conversation of the burst: a person writing to the app's bot, addressed to someone on
    /// the other platform, who receives it from the sender's stand-in there.
    struct Conversation: CustomStringConvertible {
        let number: Int
        let written: Platform
        let sender: Person
        let recipient: Person

        var delivered: Platform { written == .slack ? .teams : .slack }
        var description: String { "conversation \(number) (\(written) → \(delivered))" }
        func text(_ n: Int) -> String {
            let words = "\(recipient.email): burst \(number).\(n)"
            return written == .teams ? "<p>\(words)</p>" : words
        }

        /// The numbers of this conversation's messages the recipient has, in the order they arrived.
        func arrived(_ simulator: PlatformSimulator) -> [Int] {
            let inbox = simulator.inbox(organization: "acme", platform: delivered, user: recipient.user(delivered)) ?? []
            return inbox.compactMap { message in
                message.text.firstMatch(of: /burst (\d+)\.(\d+)/).flatMap { Int($0.1) == number ? Int($0.2) : nil }
            }
        }
    }

    /// A message of the ledger, as `GET /v1/orgs/{org}/messages` lists it.
    struct LedgerMessage: Decodable {
        struct Source: Decodable { let messageId: String }
        let state: String
        let source: Source
    }

    static let messagesPerConversation = 8
    /// Each post takes this long at the platform, so that the worker is caught in the middle of one.
    static let postLatencyMs = 1_200
    static let posts = [(Platform.teams, "bot.activities"), (.slack, "chat.postMessage")]

    static func ledger(_ serve: ServeProcess) async throws -> [LedgerMessage] {
        try await serve.call(.GET, "/v1/orgs/acme/messages?limit=200", expect: 200).decode(ServeProcess.Page<LedgerMessage>.self).items
    }

    /// Posts the platforms (or one of them) have begun but not yet answered.
    static func postsInFlight(_ simulator: PlatformSimulator, to platform: Platform? = nil) -> Int {
        let calls = simulator.calls()
        return posts.filter { platform == nil || $0.0 == platform }.reduce(0) { sum, post in
            let name = "\(post.0.rawValue) \(post.1)"
            let answered = calls.filter { $0.key.hasPrefix(name + " ") && Int($0.key.dropFirst(name.count + 1)) != nil }.values.reduce(0, +)
            return sum + (calls[name] ?? 0) - answered
        }
    }

    @Test func aWorkerKilledMidDeliveryLosesNothingAndDoublesNothingThePlatformCanShow() async throws {
        try await withTestDatabase { db in
            try await SimulatedPlatforms.run { platforms in
                let simulator = platforms.simulator
                _ = simulator.createOrganization(name: "acme", seed: 7, size: 60)
                let environment = [
                    "USERSYNC_BOT_FRAMEWORK_OPENID_URL": "\(platforms.baseURL)/botframework/v1/.well-known/openidconfiguration",
                    "USERSYNC_PLATFORM_PACING": "off",
                ]
                let serve = try await ServeProcess.start(db, environment: environment)
                defer { serve.stop() }
                let workerEnvironment = environment.merging(["USERSYNC_PUBLIC_URL": serve.base]) { $1 }
                let first = try WorkerProcessTests.startWorker(db, extra: workerEnvironment)
                defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
                let org = try await RelayProcessOrganization.build(serve, platforms, db: db, slackPeople: 2, teamsPeople: 1)

                // Three conversations: two Slack people write to a Teams person, who writes to one of them.
                let conversations = [
                    Conversation(number: 0, written: .slack, sender: org.slack[0], recipient: org.teams[0]),
                    Conversation(number: 1, written: .slack, sender: org.slack[1], recipient: org.teams[0]),
                    Conversation(number: 2, written: .teams, sender: org.teams[0], recipient: org.slack[0]),
                ]
                let count = Self.messagesPerConversation, total = conversations.count * count
                for (platform, endpoint) in Self.posts {
                    _ = simulator.addFault(FaultRule(platform: platform, endpoint: endpoint, kind: .latency, latencyMs: Self.postLatencyMs))
                }
                var written: [[String]] = Array(repeating: [], count: conversations.count)
                for n in 0..<count {
                    for conversation in conversations {
                        let write = SimChatWrite(from: conversation.sender.user(conversation.written), to: "bot", text: conversation.text(n))
                        written[conversation.number].append(
                            try simulator.writeMessage(organization: "acme", platform: conversation.written, write).id)
                    }
                }

                // Killed while posts are in flight: every conversation begun, the burst not done.
                let midway = try await eventually(.seconds(120), "the worker is in the middle of the burst") {
                    let arrived = conversations.map { $0.arrived(simulator).count }
                    return try await db.scalar("SELECT count(*) FROM relay_messages") == Int64(total) && arrived.allSatisfy { $0 > 0 }
                        && arrived.reduce(0, +) < total - conversations.count && Self.postsInFlight(simulator, to: .slack) > 0
                        && Self.postsInFlight(simulator, to: .teams) > 0
                }
                let states = try await Self.ledger(serve).map(\.state)
                try #require(midway, "ledger: \(states)")
                kill(first.processIdentifier, SIGKILL)
                first.waitUntilExit()

                // What the killed worker left: the platforms answer the posts it was waiting on (it
                // never reads the answers), and its database sessions end.
                let settled = try await eventually(.seconds(60), "the killed worker's posts and transactions end") {
                    let writing = try await db.scalar(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL")
                    return Self.postsInFlight(simulator) == 0 && writing == 0
                }
                try #require(settled)
                let recorded = Set(try await Self.ledger(serve).filter { $0.state == "delivered" }.map(\.source.messageId))
                // Taken by the platform, not recorded as delivered: the next worker posts these again.
                let unrecorded = conversations.map { conversation in
                    Set(conversation.arrived(simulator).filter { !recorded.contains(written[conversation.number][$0]) })
                }
                #expect(unrecorded.allSatisfy { $0.count <= 1 }, "one post in flight per conversation at most: \(unrecorded)")
                // The killed worker's conversations are still leased to its jobs for minutes; they
                // must not wait that long (the job, run again, holds its own lease).
                let held = try await db.scalar(
                    "SELECT count(*) FROM relay_conversation_leases WHERE lease_owner IS NOT NULL AND leased_until > now() + interval '60 seconds'")
                #expect(held >= 1, "the killed worker held a conversation's lease")
                Attachment.record("unrecorded when killed: \(unrecorded.map { $0.sorted() }), leases held: \(held)", named: "kill-window.txt")

                let second = try WorkerProcessTests.startWorker(db, extra: workerEnvironment)
                defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
                // Well within the five minutes the killed worker's conversation leases would hold them.
                let finished = try await eventually(.seconds(150), "the second worker delivers the rest") {
                    let ledger = try await Self.ledger(serve)
                    return ledger.count == total && ledger.allSatisfy { $0.state == "delivered" }
                        && conversations.allSatisfy { $0.arrived(simulator).count >= count }
                }
                let ledger = try await Self.ledger(serve)
                #expect(finished, "ledger: \(ledger.map(\.state))")

                // Each message once, in the order written: the posts the platforms took as the worker
                // died were found, not posted again.
                for conversation in conversations {
                    #expect(conversation.arrived(simulator) == Array(0..<count), "\(conversation)")
                }
                #expect(!unrecorded[2].isEmpty, "Slack took a post the ledger had not recorded when the worker died")
                #expect(!(unrecorded[0].isEmpty && unrecorded[1].isEmpty), "Teams took a post the ledger had not recorded when the worker died")
                let rows = Dictionary(grouping: ledger, by: \.source.messageId)
                #expect(ledger.count == total, "\(ledger.map(\.source.messageId))")
                for conversation in conversations {
                    for (n, id) in written[conversation.number].enumerated() {
                        #expect(rows[id]?.map(\.state) == ["delivered"], "\(conversation), message \(n): \(rows[id]?.map(\.state) ?? [])")
                    }
                }
                ChildProcess.stop(second, name: "usersync work", within: .seconds(60))
                #expect(second.terminationStatus == 0)
            }
        }
    }
}
