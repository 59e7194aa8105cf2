import Foundation

/// What the benchmark programs that run real `usersync` processes share.
public enum BenchmarkSupport {
    /// Starts `usersync <role>` against `db`'s service role, with a fixed test keyring, no platform
    /// pacing and no worker metrics endpoint; `environment` adds or overrides variables.
    public static func start(
        _ role: String, binary: URL, db: TestDatabase, environment: [String: String], logLevel: String
    ) throws -> Process {
        let url = db.serviceURL
        let process = Process()
        process.executableURL = binary
        process.arguments = [role]
        process.environment = [
            "DATABASE_URL": "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)?sslmode=disable",
            "USERSYNC_ENCRYPTION_KEYS": "test:" + Data(repeating: 7, count: 32).base64EncodedString(),
            "USERSYNC_PLATFORM_PACING": "off", "USERSYNC_WORKER_METRICS_PORT": "0", "USERSYNC_LOG_LEVEL": logLevel,
            "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin",
        ].merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
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
