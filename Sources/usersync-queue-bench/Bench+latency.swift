import PostgresNIO
import UserSyncDomain
import UserSyncPersistence

extension Bench {
    /// Insert-to-start latency of single jobs (server clock), optionally under a background load.
    func latency(probes: Int, backgroundRate: Double) async throws -> (p50: Double, p99: Double) {
        let probe = try await organization()
        let background = try await organization()
        let samples = try await withProcessor {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if backgroundRate > 0 {
                    group.addTask {
                        // Enqueue every 10 ms at the requested rate until cancelled.
                        let perTick = max(1, Int(backgroundRate / 100))
                        while !Task.isCancelled {
                            try await enqueue(perTick, for: background)
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    }
                    try await Task.sleep(for: .seconds(1))
                }
                for _ in 0..<probes {
                    try await enqueue(1, kind: "noop", for: probe)
                    try await Task.sleep(for: .milliseconds(backgroundRate > 0 ? 10 : 20))
                }
                try await Task.sleep(for: .seconds(1))
                group.cancelAll()
                while let result = await group.nextResult() { if case .failure(let error) = result, !(error is CancellationError) { throw error } }
            }
            return try await startLatencies(probe)
        }
        try await clear()
        return (percentile(samples, 0.50), percentile(samples, 0.99))
    }

    /// Every job's insert-to-start time; one that has not started yet counts as waiting until
    /// now, so a starved job raises the percentiles instead of dropping out of them.
    func startLatencies(_ org: OrganizationID) async throws -> [Double] {
        try await db.service.withQueueScope(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT extract(epoch FROM coalesce(started_at, clock_timestamp()) - created_at)::float8 * 1000 FROM jobs
                WHERE org_id = \(org.rawValue)
                """, logger: logger)
            var values: [Double] = []
            for try await value in rows.decode(Double.self) { values.append(value) }
            return values
        }
    }

    /// (d) A quiet organization's single jobs while another organization floods the queue.
    func fairness(flood: Int, probes: Int) async throws -> Double {
        let flooder = try await organization()
        let quiet = try await organization()
        try await enqueue(flood, for: flooder)
        let samples = try await withProcessor {
            for _ in 0..<probes {
                try await enqueue(1, for: quiet)
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .seconds(1))
            return try await startLatencies(quiet)
        }
        try await clear()
        return percentile(samples, 0.95)
    }

    func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)].rounded(to: 2)
    }
}
