import UserSyncTestSupport

/// What the processes have used so far: CPU time, and the counters `work` and `serve` expose.
struct Usage: Sendable {
    let cpu: CPUSample
    let work: MetricsSample
    let serve: MetricsSample
    /// The simulator's API calls by `<platform> <endpoint>`.
    let calls: MetricsSample

    /// What was used since `earlier`: `cpu_seconds_<process>`, `work_<series>`, `serve_<series>`,
    /// `platform_calls_<platform>_<endpoint>`.
    func since(_ earlier: Usage) -> [String: Double] {
        cpu.since(earlier.cpu).merging(work.since(earlier.work, prefix: "work_")) { $1 }.merging(serve.since(earlier.serve, prefix: "serve_")) { $1 }
            .merging(calls.since(earlier.calls, prefix: "platform_calls_")) { $1 }
    }
}
