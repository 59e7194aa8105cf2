import Foundation
import PostgresNIO
import UserSyncTestSupport

/// What the service recorded: the ledger's times and counts, and the delivery jobs.
extension RelayBench {
    /// Each stored message's times, by its id on the platform it was written on.
    func ledgerTimes() async throws -> [String: LedgerTimes] {
        let rows = try await db.admin.client.query(
            "SELECT source_message_id, received_at, delivered_at FROM relay_messages WHERE kind = 'message'", logger: db.logger)
        var times: [String: LedgerTimes] = [:]
        for try await (id, received, delivered) in rows.decode((String, Date, Date?).self) {
            times[id] = LedgerTimes(received: received, delivered: delivered)
        }
        return times
    }

    /// The ledger's totals by state (`GET …/messages/counts`), as `ledger_<state>`.
    func ledgerCounts(_ deployment: BenchmarkDeployment, key: String) async throws -> [String: Double] {
        let counts = try await deployment.api.call(.GET, "/v1/orgs/\(Self.organization)/messages/counts", token: key)
        let totals = counts["totals"] as? [String: Int] ?? [:]
        return Dictionary(uniqueKeysWithValues: totals.map { ("ledger_\($0.key)", Double($0.value)) })
    }

    /// The `relay.deliver` jobs by state (one is queued per stored event), as `relay_jobs_<state>`.
    func jobFigures() async throws -> [String: Double] {
        let rows = try await db.admin.client.query(
            "SELECT state, count(*) FROM jobs WHERE kind = 'relay.deliver' GROUP BY state", logger: db.logger)
        var figures: [String: Double] = [:]
        for try await (state, count) in rows.decode((String, Int64).self) { figures["relay_jobs_\(state)"] = Double(count) }
        return figures
    }

    /// `relay.deliver` jobs queued or running.
    func deliveryJobsLeft() async throws -> Int64 {
        try await db.scalar("SELECT count(*) FROM jobs WHERE kind = 'relay.deliver' AND state IN ('queued', 'running')")
    }

    /// The processes' use so far; the server's CPU only when it runs on this machine.
    func usage(_ deployment: BenchmarkDeployment) async throws -> Usage {
        let cpu = try await CPUSample.now(serve: deployment.serve.processIdentifier, work: [deployment.work.processIdentifier], db: db)
        // The delivery jobs' runs, snoozes and times; the events `serve` took, by outcome.
        let work = await MetricsSample.read("http://127.0.0.1:\(workerMetricsPort)/metrics") { line in
            (line.contains("relay.deliver") || line.hasPrefix("usersync_relay_")) && !line.contains("_bucket")
        }
        let serve = await MetricsSample.read(deployment.base + "/metrics") { $0.hasPrefix("usersync_relay_") && !$0.contains("_bucket") }
        let calls = platforms.simulator.calls().filter { $0.key.split(separator: " ").count == 2 }.map { call, count in
            (call.replacing(" ", with: "_").replacing(".", with: "_"), Double(count))
        }
        return Usage(cpu: cpu, work: work, serve: serve, calls: MetricsSample(values: Dictionary(uniqueKeysWithValues: calls)))
    }
}
