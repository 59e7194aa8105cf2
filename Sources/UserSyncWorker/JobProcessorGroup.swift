import ServiceLifecycle
import Synchronization

/// A worker process's lanes (``WorkerSettings/lanes``) as one service. It listens for the queue's
/// notifications once and hands each to one lane: the first with at least half its slots free,
/// else the freest. With every lane listening, each notification was a claim per lane, all but one
/// finding nothing (a claim costs about a millisecond of PostgreSQL): relaying 150 messages a
/// second cost about a fifth more of the worker's and PostgreSQL's CPU than one claim loop did,
/// and still 12–20 % more with each notification handed to the freest lane. Filling the lanes in
/// order keeps a light load on the first lane, like one claim loop, and the relay's CPU with it.
/// A lane whose claim fills its batch wakes the others, which join in on the backlog. On graceful
/// shutdown every lane stops claiming at once, and their running jobs share the one grace period.
public final class JobProcessorGroup: Service, Sendable {
    private let members = Mutex<[JobProcessor]>([])

    /// An empty group: processors join it as they are made (``JobProcessor/init``).
    public init() {}

    func join(_ processor: JobProcessor) {
        members.withLock { $0.append(processor) }
    }

    var processors: [JobProcessor] { members.withLock { $0 } }

    public func run() async throws {
        let lanes = processors
        guard let first = lanes.first else { return }
        await withTaskGroup(of: Void.self) { helpers in
            helpers.addTask { await first.listen { self.notified() } }
            await withDiscardingTaskGroup { group in
                for lane in lanes {
                    group.addTask { try? await lane.run() }
                }
            }
            helpers.cancelAll()
        }
    }

    /// A notification: one lane claims.
    func notified() {
        let lanes = processors
        let chosen = lanes.first { $0.free * 2 >= $0.settings.concurrency } ?? lanes.max { $0.free < $1.free }
        chosen?.hint()
    }

    /// `finder` claimed a full batch: the queue may hold more, for every other lane too.
    func backlogFound(by finder: JobProcessor) {
        for lane in processors where lane !== finder { lane.hint() }
    }
}
