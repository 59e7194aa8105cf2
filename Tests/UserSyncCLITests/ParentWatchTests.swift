import Foundation
import Testing
import UserSyncTestSupport
import UserSyncTesting

/// `USERSYNC_PARENT_PID`: `serve` and `work` started by a program that then dies stop by themselves.
@Suite struct ParentWatchTests {
    /// Starts `usersync <role>` from a shell that names itself as the parent and ends `seconds` later
    /// without stopping it; returns the process id of `usersync` and where its log goes.
    static func orphan(_ role: String, _ db: TestDatabase, after seconds: Int) async throws -> (pid: Int32, log: URL) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("usersync-orphan-\(UUID()).log")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", #"USERSYNC_PARENT_PID=$$ "$0" "$1" > /dev/null 2> "$2" & echo $!; sleep "$3""#, CommandLineTests.binary.path, role, log.path,
            "\(seconds)",
        ]
        shell.currentDirectoryURL = FileManager.default.temporaryDirectory
        shell.environment = CommandLineTests.environment(db).merging([
            "USERSYNC_SQL_DIR": TestEnvironment.sqlDirectory.path, "PATH": "/usr/bin:/bin", "USERSYNC_WORKER_METRICS_PORT": "0",
            "USERSYNC_LOG_LEVEL": "notice",
        ]) { $1 }
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        // Waited for without blocking a thread the other tests' tasks run on.
        let gone = try await eventually(.seconds(60)) { !shell.isRunning }
        #expect(gone, "the shell did not end")
        let pid = try #require(
            Int32(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        return (pid, log)
    }

    @Test("serve and work stop by themselves once the program that started them has gone", arguments: ["serve", "work"])
    func stopsWithItsParent(role: String) async throws {
        try await withTestDatabase { db in
            // The shell lives long enough for the process to start on a busy machine, then ends.
            let (pid, log) = try await Self.orphan(role, db, after: 3)
            defer {
                if !CPUSample.hasEnded(pid) { kill(pid, SIGKILL) }
                try? FileManager.default.removeItem(at: log)
            }
            let stopped = try await eventually(.seconds(60)) { CPUSample.hasEnded(pid) }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(stopped, "usersync \(role) kept running after its parent had gone: \(output)")
            #expect(output.contains("the process that started it has gone"), "\(output)")
        }
    }

    @Test func aParentPIDThatIsNoProcessIDIsRefused() async throws {
        try await withTestDatabase { db in
            let run = try await CommandLineTests.usersync(
                ["work"], environment: CommandLineTests.environment(db).merging(["USERSYNC_PARENT_PID": "me"]) { $1 })
            #expect(run.status != 0)
            #expect(run.errors.contains("USERSYNC_PARENT_PID"), "\(run.errors)")
            #expect(run.errors.contains("must be a process id"), "\(run.errors)")
        }
    }
}
