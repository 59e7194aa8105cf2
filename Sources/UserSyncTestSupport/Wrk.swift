import Foundation

/// Closed-loop throughput measured by `wrk` (https://github.com/wg/wrk), a load generator in C
/// whose own cost per request is a small fraction of a Swift client's: on a machine whose cores
/// the client shares with the server and PostgreSQL, it measures the server rather than the
/// client. Each request picks one of `paths` at random (a Lua script), all with `headers`.
public struct Wrk: Sendable {
    public let executable: URL

    /// `wrk` on the PATH, or nil (the benchmark then reports its own client's figures alone).
    public static func find() -> Wrk? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("wrk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return Wrk(executable: candidate) }
        }
        return nil
    }

    /// What one run came to: requests per second, latency percentiles, and answers that were not
    /// 2xx/3xx or failed (connect, read, write, timeout errors).
    public struct Outcome: Sendable {
        public var perSecond: Double
        public var p50: Double
        public var p99: Double
        public var failed: Int
        public var requests: Int

        public func figures(_ name: String) -> [String: Double] {
            [
                "\(name)_per_second": perSecond, "\(name)_p50_ms": p50, "\(name)_p99_ms": p99,
                "\(name)_requests": Double(requests), "\(name)_failed": Double(failed),
            ]
        }
    }

    /// Runs `wrk` against `base` for `seconds` with `connections` connections over two threads.
    public func run(
        base: String, paths: [String], headers: [String: String], connections: Int, seconds: Int
    ) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usersync-wrk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("paths.lua")
        let list = paths.map { "  \"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"," }
        try
            ("local paths = {\n" + list.joined(separator: "\n") + "\n}\n"
            + "request = function() return wrk.format(\"GET\", paths[math.random(#paths)]) end\n")
            .write(to: script, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = executable
        process.arguments =
            ["-t", "2", "-c", String(max(2, connections)), "-d", "\(seconds)s", "--latency", "--timeout", "10s", "-s", script.path]
            + headers.sorted { $0.key < $1.key }.flatMap { ["-H", "\($0.key): \($0.value)"] } + [base + "/"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // wrk stops after `seconds`; one that has not a minute later is killed, and says so.
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(seconds + 60)) {
            guard kill(pid, 0) == 0, process.isRunning else { return }
            FileHandle.standardError.write(Data("wrk (pid \(pid)) did not finish within \(seconds + 60) s; killed it with SIGKILL\n".utf8))
            kill(pid, SIGKILL)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()  // until wrk exits
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let outcome = Self.parse(text) else {
            throw BenchmarkFailure("wrk failed (status \(process.terminationStatus)): \(text.prefix(2_000))")
        }
        return outcome
    }

    /// Reads wrk's report: `Requests/sec:`, the `--latency` distribution, `N requests in`, and the
    /// error lines.
    static func parse(_ text: String) -> Outcome? {
        var perSecond: Double?, p50: Double?, p99: Double?, requests = 0, failed = 0
        for raw in text.split(separator: "\n") {
            let fields = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = fields.first else { continue }
            switch first {
            case "Requests/sec:": perSecond = fields.dropFirst().first.flatMap(Double.init)
            case "50%": p50 = fields.dropFirst().first.flatMap(milliseconds)
            case "99%": p99 = fields.dropFirst().first.flatMap(milliseconds)
            case "Non-2xx": failed += fields.last.flatMap(Int.init) ?? 0
            case "Socket":  // Socket errors: connect 0, read 0, write 0, timeout 0
                failed += fields.compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.reduce(0, +)
            default:
                if fields.count > 2, fields[1] == "requests", fields[2] == "in", let count = Int(first) { requests = count }
            }
        }
        guard let perSecond, let p50, let p99 else { return nil }
        return Outcome(perSecond: perSecond, p50: p50, p99: p99, failed: failed, requests: requests)
    }

    /// "812.00us", "1.23ms", "2.01s" in milliseconds.
    static func milliseconds(_ value: String) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1_000.0)] where value.hasSuffix(unit) {
            return Double(value.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }
}
