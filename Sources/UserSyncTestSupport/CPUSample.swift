import Foundation
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#endif

/// CPU seconds used so far by the processes a run depends on (Linux `/proc`): `serve`, `work`
/// (every worker process together), the PostgreSQL server (its backends, and those that exited)
/// and this program with the simulator in it. Compared between two samples, they say where a
/// phase's time went.
public struct CPUSample: Sendable {
    public let seconds: [String: Double]

    public init(serve: Int32, work: [Int32], postmaster: Int32?) {
        let workers = work.compactMap { Self.ticks($0) }
        var seconds = ["serve": Self.ticks(serve), "bench": Self.ticks(getpid())].compactMapValues { $0 }
        if !workers.isEmpty { seconds["work"] = workers.reduce(0, +) }
        if let postmaster, let own = Self.ticks(postmaster, children: true) {
            let backends = Self.processes().filter { $0.parent == postmaster }.compactMap { Self.ticks($0.pid) }
            seconds["postgres"] = own + backends.reduce(0, +)
        }
        self.seconds = seconds
    }

    /// `cpu_seconds_<process>` used since `earlier`.
    public func since(_ earlier: CPUSample) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: seconds.compactMap { name, now in earlier.seconds[name].map { ("cpu_seconds_\(name)", now - $0) } })
    }

    /// Milliseconds of CPU `process` used per unit of work (a sync, a request), from a ``since(_:)``
    /// result; nil when that process was not sampled or there were no units.
    public static func milliseconds(of process: String, per units: Int, in used: [String: Double]) -> Double? {
        guard units > 0 else { return nil }
        return used["cpu_seconds_\(process)"].map { $0 * 1_000 / Double(units) }
    }

    /// `/proc/<pid>/stat`'s fields after the command's closing parenthesis (the third onwards).
    static func fields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// Whether a process has ended: gone, or a zombie no one has reaped yet (its state, the first
    /// of ``fields(_:)``).
    public static func hasEnded(_ pid: Int32) -> Bool {
        fields(pid)?.first.map { $0.hasPrefix("Z") } ?? true
    }

    /// User and system time, in seconds; with `children`, also that of its exited children.
    static func ticks(_ pid: Int32, children: Bool = false) -> Double? {
        guard let fields = fields(pid), fields.count > 14 else { return nil }
        let used = (11...(children ? 14 : 12)).compactMap { Double(fields[$0]) }.reduce(0, +)
        return used / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func processes() -> [(pid: Int32, parent: Int32)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { pid in parent(of: pid).map { (pid, $0) } }
    }

    /// The process that started `pid` (for a backend, the PostgreSQL server, when it runs on this machine).
    static func parent(of pid: Int32) -> Int32? {
        fields(pid).flatMap { $0.count > 1 ? Int32($0[1]) : nil }
    }

    /// The processes' use so far; the server's CPU only when it runs on this machine.
    public static func now(serve: Int32, work: [Int32], db: TestDatabase) async throws -> CPUSample {
        var postmaster: Int32?
        for try await pid in try await db.admin.client.query("SELECT pg_backend_pid()", logger: db.logger).decode(Int32.self) {
            postmaster = Self.parent(of: pid)
        }
        return CPUSample(serve: serve, work: work, postmaster: postmaster)
    }
}
