import Foundation
import Testing
import UserSyncTestSupport
import UserSyncTesting

#if canImport(Glibc)
    import Glibc
#endif

/// `USERSYNC_WORKER_NICE`: a `usersync work` process's CPU priority beside the API.
@Suite struct WorkerPriorityTests {
    @Test func theWorkersEventLoopsRunAtItsNiceValue() async throws {
        try await withTestDatabase { db in
            let org = try await WorkerProcessTests.organization(db)
            let id = try await WorkerProcessTests.sleepJob(db, org, milliseconds: 1)
            let worker = try WorkerProcessTests.startWorker(db, extra: ["USERSYNC_WORKER_NICE": "7"])
            defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
            // A job run to its end: the worker's event loops, pools and task threads are all up.
            let ran = try await eventually(.seconds(30)) { try await WorkerProcessTests.job(db, id).state == .succeeded }
            #expect(ran, "the worker did not run the job")
            // A process started at a higher nice value (a test run under `nice`) keeps it.
            let expected = max(7, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
            // The event loops run the worker's jobs (the executor takeover) and their I/O, and the
            // main thread starts them; Dispatch sets its own threads' priority.
            let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker.processIdentifier)/task").map {
                try Self.stat(process: worker.processIdentifier, thread: $0)
            }
            let working = threads.filter { $0.name.hasPrefix("NIO-") || $0.thread == worker.processIdentifier }
            #expect(working.count > 2, "\(threads)")
            for thread in working { #expect(thread.nice == expected, "\(thread)") }
            worker.terminate()
            worker.waitUntilExit()
        }
    }

    /// With the kernel's autogroups, a thread's nice orders it only within its session: a worker
    /// that leads its own session (as systemd and Docker start it) lowers its session's group as
    /// well, and one sharing its session (here, the test run's) leaves that group alone.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/autogroup")))
    func aWorkerLeadingItsSessionLowersItsAutogroupAndNoOtherOne() async throws {
        try await withTestDatabase { db in
            let ours = try Self.autogroupNice(of: getpid())
            let shared = try WorkerProcessTests.startWorker(db, extra: ["USERSYNC_WORKER_NICE": "7"])
            defer { if shared.isRunning { kill(shared.processIdentifier, SIGKILL) } }
            let own = try SessionProcess(
                executable: CommandLineTests.binary, arguments: ["work"],
                environment: WorkerProcessTests.environment(
                    db,
                    extra: [
                        "USERSYNC_WORKER_NICE": "7", "USERSYNC_LOG_LEVEL": "error",
                        // Outside the test run's process group: it stops by itself if the run dies.
                        "USERSYNC_PARENT_PID": "\(getpid())",
                    ]))
            defer { if own.isRunning { kill(own.processIdentifier, SIGKILL) } }
            // A session's group starts at nice 0.
            let lowered = try await eventually(.seconds(30)) { try Self.autogroupNice(of: own.processIdentifier) == 7 }
            let nice = try Self.autogroupNice(of: own.processIdentifier)
            #expect(lowered, "the autogroup of the worker leading its session: nice \(String(describing: nice))")
            // The other worker has lowered its threads by now (it does so first thing): the
            // session it shares with this test run keeps its priority.
            let threadNice = max(7, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
            let started = try await eventually(.seconds(30)) {
                try Self.stat(process: shared.processIdentifier, thread: "\(shared.processIdentifier)").nice == threadNice
            }
            #expect(started, "the worker sharing the test run's session did not lower its threads")
            let after = try Self.autogroupNice(of: getpid())
            #expect(after == ours)
            ChildProcess.stop([(shared, "usersync work"), (own, "usersync work")], within: .seconds(60))
        }
    }

    /// The nice value of a process's autogroup: `/proc/<pid>/autogroup` reads "/autogroup-42 nice 0".
    static func autogroupNice(of process: Int32) throws -> Int32? {
        let line = try String(contentsOfFile: "/proc/\(process)/autogroup", encoding: .utf8)
        return line.split(separator: " ").last.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// A thread's name and nice value: fields 2 and 19 of `/proc/<pid>/task/<tid>/stat`.
    static func stat(process: Int32, thread: String) throws -> (thread: Int32, name: String, nice: Int32?) {
        let stat = try String(contentsOfFile: "/proc/\(process)/task/\(thread)/stat", encoding: .utf8)
        guard let start = stat.firstIndex(of: "("), let end = stat.lastIndex(of: ")") else { return (Int32(thread) ?? 0, stat, nil) }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return (Int32(thread) ?? 0, String(stat[stat.index(after: start)..<end]), fields.count > 16 ? Int32(fields[16]) : nil)
    }
}
