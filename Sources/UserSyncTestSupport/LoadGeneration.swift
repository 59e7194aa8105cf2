import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Synchronization
import UserSyncDomain

/// What a run of requests came to.
public struct LoadOutcome: Sendable {
    /// Each answered request's latency in milliseconds (from its scheduled send in a fixed-rate run).
    public var latencies: [Double] = []
    /// When each of ``latencies``' requests was sent (scheduled, in a fixed-rate run).
    public var sentAt: [ContinuousClock.Instant] = []
    /// Answers other than a 200, and requests that failed.
    public var failed = 0
    public var firstFailure: String?
    /// Requests of a fixed-rate run not sent because too many were in flight when they were due.
    public var missed = 0
    /// From the first request's send (or schedule) to the last answer.
    public var seconds = 0.0

    mutating func record(_ milliseconds: Double, sentAt sent: ContinuousClock.Instant, failure: String?) {
        latencies.append(milliseconds)
        sentAt.append(sent)
        if let failure {
            failed += 1
            if firstFailure == nil { firstFailure = failure }
        }
    }

    /// The latencies of the requests sent from `start` on, failed ones included; the counts of
    /// failures and misses are not kept by time and start again at zero.
    public func sent(from start: ContinuousClock.Instant) -> LoadOutcome {
        var later = LoadOutcome()
        for (latency, sent) in zip(latencies, sentAt) where sent >= start {
            later.latencies.append(latency)
            later.sentAt.append(sent)
        }
        return later
    }

    /// Percentiles, count, failures, misses and the rate achieved, each named `<name>_…`.
    public func figures(_ name: String) -> [String: Double] {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? -1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return [
            "\(name)_p50_ms": percentile(0.5), "\(name)_p90_ms": percentile(0.9), "\(name)_p99_ms": percentile(0.99),
            "\(name)_max_ms": sorted.last ?? -1, "\(name)_requests": Double(sorted.count), "\(name)_non_200": Double(failed),
            "\(name)_missed": Double(missed), "\(name)_achieved_per_second": seconds > 0 ? Double(sorted.count) / seconds : 0,
        ]
    }
}

/// The two ways the benchmarks send requests. `request` answers nil for a 200, otherwise what
/// went wrong.
public enum Load {
    /// A closed loop, for throughput: `clients` clients each sending `request` again as soon as it
    /// is answered, for `duration`.
    public static func closed(
        clients: Int, for duration: Duration, _ request: @escaping @Sendable () async throws -> String?
    ) async throws -> LoadOutcome {
        let outcome = Recorded()
        let started = ContinuousClock.now, end = started + duration
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<clients {
                group.addTask {
                    while ContinuousClock.now < end {
                        let sent = ContinuousClock.now
                        let failure = try await request()
                        let elapsed = (ContinuousClock.now - sent).seconds * 1_000
                        outcome.state.withLock { $0.record(elapsed, sentAt: sent, failure: failure) }
                    }
                }
            }
        }
        return outcome.state.withLock { outcome in
            outcome.seconds = (ContinuousClock.now - started).seconds
            return outcome
        }
    }

    /// An outcome the clients of a run record into.
    private final class Recorded: Sendable {
        let state = Mutex(LoadOutcome())
    }

    /// An open loop at `rate` requests a second for `duration`: see ``FixedRateLoad``.
    public static func fixedRate(
        _ rate: Int, for duration: Duration, inFlightLimit: Int, _ request: @escaping @Sendable () async throws -> String?
    ) async throws -> LoadOutcome {
        let load = FixedRateLoad(rate, inFlightLimit: inFlightLimit)
        try await load.run(for: duration, request)
        return load.outcome
    }
}

/// Requests sent on a fixed schedule (an open loop) until stopped or for a duration, each at its
/// scheduled time (or at once, when the schedule is behind) and timed from it, so a slow answer
/// delays no later request and queueing counts (no coordinated omission). A request due while
/// `inFlightLimit` are in flight is missed.
public final class FixedRateLoad: Sendable {
    let rate: Int
    let inFlightLimit: Int
    private let state = Mutex(LoadOutcome())
    private let inFlight = Mutex(0)
    private let stopped = Mutex(false)

    public init(_ rate: Int, inFlightLimit: Int) {
        precondition(rate > 0, "a fixed-rate load needs a positive rate")
        self.rate = rate
        self.inFlightLimit = inFlightLimit
    }

    public var outcome: LoadOutcome { state.withLock { $0 } }

    /// Sends no more requests; `run` returns once the ones in flight are answered.
    public func stop() { stopped.withLock { $0 = true } }

    /// Sends `request` at the rate until `stop()`, or for `duration` when given.
    public func run(for duration: Duration? = nil, _ request: @escaping @Sendable () async throws -> String?) async throws {
        let interval = Duration.seconds(1) / rate
        let started = ContinuousClock.now
        let due = duration.map { Int($0 / interval) } ?? .max
        try await withThrowingDiscardingTaskGroup { group in
            var index = 0
            while index < due, !stopped.withLock({ $0 }) {
                let scheduled = started + interval * index
                index += 1
                try await Task.sleep(until: scheduled, clock: .continuous)
                let sending = inFlight.withLock { count in
                    guard count < inFlightLimit else { return false }
                    count += 1
                    return true
                }
                guard sending else {
                    state.withLock { $0.missed += 1 }
                    continue
                }
                group.addTask {
                    defer { self.inFlight.withLock { $0 -= 1 } }
                    let failure = try await request()
                    let elapsed = (ContinuousClock.now - scheduled).seconds * 1_000
                    self.state.withLock { $0.record(elapsed, sentAt: scheduled, failure: failure) }
                }
            }
        }
        state.withLock { $0.seconds = (ContinuousClock.now - started).seconds }
    }
}

/// The client of the measured requests: a pool of its own sized for the most requests in flight
/// (redirects not followed); reads each whole answer and says what went wrong instead of
/// throwing, unless `alive` throws (a process the benchmark runs has died).
public struct LoadClient: Sendable {
    public let base: String
    let http: HTTPClient
    let alive: @Sendable () throws -> Void

    /// Runs `body` with a client of its own and shuts it down afterwards.
    public static func with<T: Sendable>(
        base: String, connections: Int, alive: @escaping @Sendable () throws -> Void = {}, _ body: (LoadClient) async throws -> T
    ) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, any Error>
        do { result = .success(try await body(LoadClient(base: base, http: http, alive: alive))) } catch { result = .failure(error) }
        try await http.shutdown()
        return try result.get()
    }

    /// nil for a 200, otherwise the status or the error.
    public func get(_ path: String, token: String?) async throws -> String? {
        do {
            let (status, _) = try await send(path, token: token)
            return status == .ok ? nil : "GET \(path) → \(status)"
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try alive()
            return "GET \(path) failed: \(error)"
        }
    }

    /// The bytes of a 200's body; anything else throws.
    public func size(_ path: String, token: String?) async throws -> Int {
        let (status, bytes) = try await send(path, token: token)
        guard status == .ok else { throw BenchmarkFailure("GET \(path) → \(status)") }
        return bytes
    }

    private func send(_ path: String, token: String?) async throws -> (HTTPResponseStatus, Int) {
        var request = HTTPClientRequest(url: base + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (response.status, body.readableBytes)
    }
}
