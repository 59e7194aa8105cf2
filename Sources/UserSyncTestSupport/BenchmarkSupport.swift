import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the benchmark programs that run real `usersync` processes share.
public enum BenchmarkSupport {
    /// Runs this process's Swift tasks on SwiftNIO's event loops, the executor takeover `usersync
    /// work` uses: the simulator in a benchmark then answers a platform call on the loop that read
    /// it, without a thread hop each way. Its CPU per bulk sync fell by about a fifth relative to
    /// the worker's (docs/user-sync.md), leaving more of the shared cores to what is measured. Call
    /// it first thing in `main`, before any task runs.
    public static func runTasksOnEventLoops() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Starts `usersync <role>` against `db`'s service role, in a session of its own as a service
    /// manager would (``SessionProcess``), with a fixed test keyring, no platform pacing and no
    /// worker metrics endpoint; `environment` adds or overrides variables, and for a diagnostic run
    /// each `BENCH_ENV_<NAME>` in the benchmark's own environment sets `<NAME>` last
    /// (`BENCH_ENV_USERSYNC_WORKER_DATABASE_CONCURRENCY=4`); `BENCH_SHARED_SESSION=1` keeps them
    /// in the benchmark's session instead, for a comparison (docs/scaling.md).
    public static func start(
        _ role: String, binary: URL, db: TestDatabase, environment: [String: String], logLevel: String
    ) throws -> SessionProcess {
        let url = db.serviceURL
        let variables = [
            "DATABASE_URL": "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)?sslmode=disable",
            "USERSYNC_ENCRYPTION_KEYS": "test:" + Data(repeating: 7, count: 32).base64EncodedString(),
            "USERSYNC_PLATFORM_PACING": "off", "USERSYNC_WORKER_METRICS_PORT": "0", "USERSYNC_LOG_LEVEL": logLevel,
            // A benchmark drives one key or SCIM token as hard as it can: measured, not limited.
            "USERSYNC_RATE_LIMIT_PER_SECOND": "0",
            "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin",
            // A benchmark that crashes takes its processes with it, not into the next one's figures.
            "USERSYNC_PARENT_PID": "\(ProcessInfo.processInfo.processIdentifier)",
        ].merging(SimulatedPlatforms.processEnvironment) { $1 }.merging(environment) { $1 }.merging(overrides) { $1 }
        return try SessionProcess(executable: binary, arguments: [role], environment: variables, ownSession: ownSessions)
    }

    /// Whether the benchmarks' processes lead sessions of their own: unless `BENCH_SHARED_SESSION=1`.
    public static var ownSessions: Bool { ProcessInfo.processInfo.environment["BENCH_SHARED_SESSION"] != "1" }

    /// The `BENCH_ENV_<NAME>` settings of this run, by `<NAME>`.
    public static var overrides: [String: String] {
        let prefix = "BENCH_ENV_"
        return Dictionary(
            uniqueKeysWithValues: ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix(prefix) }
                .map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }

    /// The peak resident memory of a process (VmHWM, Linux), in MiB; -1 when unknown.
    public static func peakResidentMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return -1 }
        return kib / 1024
    }

    /// Prints a report as sorted, indented JSON.
    public static func print(_ report: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        Swift.print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

/// Why a benchmark stopped, in a sentence.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A small JSON client of a running `usersync serve`, for the benchmark programs.
public struct BenchmarkClient: Sendable {
    public let base: String
    /// Throws when a process the benchmark depends on has died, so a wait fails with why.
    let alive: @Sendable () throws -> Void

    public init(base: String, alive: @escaping @Sendable () throws -> Void = {}) {
        self.base = base
        self.alive = alive
    }

    /// The answer's JSON object; a 4xx or 5xx answer throws with its body.
    @discardableResult
    public func call(
        _ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil, timeout: Duration = .seconds(300)
    ) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let data = try await response.body.collect(upTo: 64 << 20)
        guard response.status.code < 400 else {
            throw BenchmarkFailure("\(method) \(path) → \(response.status): \(String(buffer: data))")
        }
        return (try? JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
    }

    /// Waits up to 30 s for `/readyz`.
    public func waitUntilReady() async throws {
        for _ in 0..<300 {
            try alive()
            if (try? await call(.GET, "/readyz", timeout: .seconds(2))) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkFailure("usersync serve did not become ready within 30 s")
    }
}

/// Latencies (or any figures) collected by concurrent tasks.
public final class Samples: Sendable {
    public let values = Mutex<[Double]>([])
    public init() {}
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
