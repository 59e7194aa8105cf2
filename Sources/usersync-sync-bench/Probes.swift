import Foundation
import Synchronization
import UserSyncTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The API probes, sent from a process of their own: this program run again with
/// ``ProbeProcess/flag``. In this process they shared the event loops with the simulator, which
/// answers every platform call of the worker, so a probe's answer could wait behind the
/// simulator's work before it was timed (two pairs of runs showed no difference the noise let
/// through, but a latency probe has no business sharing its loops with the load).
///
/// The two talk in lines: the parent writes the ``Plan`` as JSON, the child answers `ready` and
/// starts sending; the parent writes `accepted` when the bulk request is answered and `stop` when
/// every sync is carried out; the child then writes its figures as JSON and ends.
final class ProbeProcess: Sendable {
    static let flag = "--probe-process"

    struct Plan: Codable {
        var base: String
        var token: String
        var rate: Int
        var inFlightLimit: Int
        /// Seconds of the same requests sent first and not counted: the server's pool then has its
        /// connections, and they their prepared statements, as in a server that has been running.
        var warmup: Double
        /// The people whose point reads are sent, one chosen at random each time.
        var people: [String]
    }

    private let process: SessionProcess
    private let input: FileHandle
    private let output: LineReader

    /// Starts the child and returns once it sends.
    init(_ plan: Plan) async throws {
        // In a session of its own, like `serve` and `work`: an API client runs elsewhere, and in
        // the benchmark's session it would wait for the cores behind the simulator.
        let input = Pipe(), output = Pipe()
        process = try SessionProcess(
            executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), arguments: [Self.flag],
            environment: ProcessInfo.processInfo.environment, ownSession: BenchmarkSupport.ownSessions,
            standardInput: input, standardOutput: output)
        self.input = input.fileHandleForWriting
        self.output = LineReader(output.fileHandleForReading)
        try send(String(decoding: try JSONEncoder().encode(plan), as: UTF8.self))
        guard await self.output.next() == "ready" else { throw BenchmarkFailure("the probe process did not start") }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Tells the child the bulk request is answered: its `_after_accept` figures count from now.
    func accepted() throws { try send("accepted") }

    /// Stops the probes and answers their figures once the ones in flight are answered.
    func stop() async throws -> [String: Double] {
        try send("stop")
        let figures = await output.next()
        process.waitUntilExit()
        guard let figures, let decoded = try? JSONDecoder().decode([String: Double].self, from: Data(figures.utf8)) else {
            throw BenchmarkFailure("the probe process ended without its figures (status \(process.terminationStatus))")
        }
        return decoded
    }

    private func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The child: sends the probes of the plan it reads, as the comment on the type says.
    static func runChild() async {
        let input = LineReader(.standardInput)
        do {
            guard let planLine = await input.next(), let plan = try? JSONDecoder().decode(Plan.self, from: Data(planLine.utf8)) else {
                throw BenchmarkFailure("the probe process read no plan")
            }
            func makeProbes() -> [(name: String, load: FixedRateLoad, path: @Sendable () -> String)] {
                [
                    ("api_people_page", FixedRateLoad(plan.rate, inFlightLimit: plan.inFlightLimit), { "/v1/orgs/bench/people?limit=50" }),
                    (
                        "api_point_read", FixedRateLoad(plan.rate, inFlightLimit: plan.inFlightLimit),
                        { "/v1/orgs/bench/people/\(plan.people.randomElement()!)" }
                    ),
                ]
            }
            let probes = makeProbes()
            let acceptedAt = try await LoadClient.with(base: plan.base, connections: 2 * plan.inFlightLimit) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (_, load, path) in makeProbes() {
                        group.addTask { try await load.run(for: .seconds(plan.warmup)) { try await client.get(path(), token: plan.token) } }
                    }
                    try await group.waitForAll()
                    for (_, load, path) in probes {
                        group.addTask { try await load.run { try await client.get(path(), token: plan.token) } }
                    }
                    FileHandle.standardOutput.write(Data("ready\n".utf8))
                    var acceptedAt: ContinuousClock.Instant?
                    while let line = await input.next(), line != "stop" {
                        if line == "accepted" { acceptedAt = .now }
                    }
                    for (_, load, _) in probes { load.stop() }
                    try await group.waitForAll()
                    return acceptedAt
                }
            }
            var figures: [String: Double] = [:]
            for (name, probe, _) in probes {
                figures.merge(probe.outcome.figures(name)) { $1 }
                guard let acceptedAt else { continue }
                let later = probe.outcome.sent(from: acceptedAt).figures("\(name)_after_accept")
                for figure in ["p50_ms", "p99_ms", "max_ms", "requests"] {
                    figures["\(name)_after_accept_\(figure)"] = later["\(name)_after_accept_\(figure)"]
                }
            }
            FileHandle.standardOutput.write(try JSONEncoder().encode(figures) + Data("\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("probe process: \(error)\n".utf8))
            exit(1)
        }
    }
}

/// The lines of a pipe (the two processes' way of talking), each read on a thread of its own, not
/// a task's; bytes after a line's end wait for the next call.
final class LineReader: Sendable {
    private let handle: FileHandle
    private let pending = Mutex(Data())

    init(_ handle: FileHandle) { self.handle = handle }

    /// The next line, without its end; nil once the pipe is closed and read.
    func next() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.pending.withLock { self.line(reading: &$0) }) }
        }
    }

    /// The first line of `bytes`, reading from the pipe (blocking) until one is there.
    private func line(reading bytes: inout Data) -> String? {
        while true {
            if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                defer { bytes.removeSubrange(bytes.startIndex...end) }
                return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
            }
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                defer { bytes.removeAll() }
                return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
            }
            bytes.append(chunk)
        }
    }
}
