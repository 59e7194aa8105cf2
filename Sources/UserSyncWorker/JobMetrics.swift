import Metrics
import Synchronization

/// Job metrics, labelled by kind only (a bounded set), never by organization.
final class JobMetrics: Sendable {
    struct Kind: Sendable {
        let started: Counter
        let succeeded: Counter
        let retried: Counter
        let snoozed: Counter
        let dead: Counter
        let runTime: Metrics.Timer
        let startLatency: Metrics.Timer

        init(_ kind: String) {
            let dimensions = [("kind", kind)]
            started = Counter(label: "usersync_jobs_started_total", dimensions: dimensions)
            succeeded = Counter(label: "usersync_jobs_succeeded_total", dimensions: dimensions)
            retried = Counter(label: "usersync_jobs_retried_total", dimensions: dimensions)
            snoozed = Counter(label: "usersync_jobs_snoozed_total", dimensions: dimensions)
            dead = Counter(label: "usersync_jobs_dead_total", dimensions: dimensions)
            runTime = Metrics.Timer(label: "usersync_job_run_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            startLatency = Metrics.Timer(label: "usersync_job_start_latency_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        }
    }

    private let kinds = Mutex<[String: Kind]>([:])

    func forKind(_ kind: String) -> Kind {
        kinds.withLock { kinds in
            if let existing = kinds[kind] { return existing }
            let created = Kind(kind)
            kinds[kind] = created
            return created
        }
    }
}

extension Metrics.Timer {
    func recordSeconds(_ seconds: Double) { recordNanoseconds(Int64(seconds * 1e9)) }
}
