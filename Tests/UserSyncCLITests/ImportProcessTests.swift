import Foundation
import Logging
import PostgresNIO
import Testing
import UserSyncDomain
import UserSyncPersistence
import UserSyncSimulator
import UserSyncTestSupport
import UserSyncTesting
import UserSyncUseCases

#if canImport(Glibc)
    import Glibc
#endif

/// Imports run by real `usersync work` processes.
@Suite struct ImportProcessTests {
    @Test("a worker killed mid-import: the retried run completes with no duplicates and exact counts")
    func killedMidImport() async throws {
        try await withTestDatabase { db in
            try await SimulatedPlatforms.run { platforms in
                let summary = platforms.simulator.createOrganization(name: "big", seed: 3, size: 6_000)
                // Slow pages, so the import is still running when the worker is killed.
                platforms.simulator.addFault(FaultRule(platform: .slack, endpoint: "users.list", kind: .latency, latencyMs: 150))
                let org = try await WorkerProcessTests.organization(db)
                let center = ConnectCenter(
                    database: db.service, access: platforms.access,
                    health: ConnectionHealthRecorder(database: db.service, firstCheck: .seconds(60)))
                let slack = platforms.connection(.slack, organization: "big")
                let connection = try await center.connect(
                    .init(displayName: nil, credentials: slack.credentials, apiBaseURL: slack.endpoints.api, authBaseURL: slack.endpoints.auth),
                    organization: org, actor: .system, requestID: nil, logger: db.logger)
                let run = try await center.requestImport(connection.id, organization: org, actor: .system, requestID: nil, logger: db.logger).run
                let environment = [
                    "USERSYNC_ENCRYPTION_KEYS": "test:" + Data(repeating: 7, count: 32).base64EncodedString(),
                    "USERSYNC_PLATFORM_PACING": "off",
                ]
                let first = try WorkerProcessTests.startWorker(db, extra: environment)
                defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
                let midway = try await eventually(.seconds(60)) {
                    try await center.importRun(run.id, organization: org, logger: db.logger).counts.pagesFetched >= 3
                }
                #expect(midway, "the import never got going")
                kill(first.processIdentifier, SIGKILL)
                first.waitUntilExit()
                let halfway = try await center.importRun(run.id, organization: org, logger: db.logger)
                #expect(halfway.state == .running)

                let second = try WorkerProcessTests.startWorker(db, extra: environment)
                defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
                let done = try await eventually(.seconds(90)) {
                    try await center.importRun(run.id, organization: org, logger: db.logger).state == .succeeded
                }
                #expect(done, "the retried import did not finish")
                let finished = try await center.importRun(run.id, organization: org, logger: db.logger)
                #expect(finished.attempts == 2)
                // Slackbot is listed without the bot flag; the connector knows it by id.
                let humans = summary.counts["slack"]!.listed - summary.counts["slack"]!.bots - 1
                #expect(finished.counts.accountsAdded == humans, "added counts every account once across both attempts")
                #expect(finished.counts.accountsSeen == summary.counts["slack"]!.listed)
                let (accounts, distinct) = try await db.service.withTenant(org, logger: db.logger) { c in
                    let rows = try await c.query(
                        "SELECT count(*), count(DISTINCT platform_user_id) FROM platform_accounts", logger: db.logger)
                    for try await pair in rows.decode((Int64, Int64).self) { return pair }
                    return (0, 0)
                }
                #expect(accounts == Int64(humans))
                #expect(distinct == accounts, "no account was written twice")
                second.terminate()
                second.waitUntilExit()
            }
        }
    }
}
