import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process that leads a session of its own, as systemd and Docker start a service, for the
/// benchmarks' `usersync serve` and `work`. Foundation's `Process` keeps a child in its parent's
/// session, and with the kernel's autogroups on (the default of many distributions for processes
/// outside a CPU cgroup) busy cores are shared between sessions before threads: the benchmark's
/// `serve`, `work`, simulator and probes then weighed, all together, as much as any one
/// PostgreSQL session, which leads a session of its own, and the worker's nice value ordered it
/// only against the API in that one share (docs/scaling.md, "Sessions and autogroups").
///
/// Standard input and output are /dev/null unless given, standard error is the benchmark's, and no
/// other descriptor is inherited. A child that outlives the benchmark stops by itself (`USERSYNC_PARENT_PID`).
public final class SessionProcess: ChildProcessHandle, Sendable {
    public let processIdentifier: Int32
    /// The `waitpid` status once the child has been reaped.
    private let status = Mutex<Int32?>(nil)

    /// `ownSession` false keeps the child in the benchmark's session, as `Process` does, to
    /// compare the two. A pipe given for the child's standard input or output is the child's: this
    /// process closes its end of it once the child has started.
    public init(
        executable: URL, arguments: [String], environment: [String: String], ownSession: Bool = true, standardInput: Pipe? = nil,
        standardOutput: Pipe? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput.fileHandleForReading.fileDescriptor, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if let standardOutput {
            posix_spawn_file_actions_adddup2(&actions, standardOutput.fileHandleForWriting.fileDescriptor, STDOUT_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        }
        // What the benchmark has open (its sockets, PostgreSQL connections) stays its own, as
        // Foundation's `Process` does it. Swift's Glibc module leaves out glibc's `addclosefrom_np`.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for descriptor in open where descriptor > STDERR_FILENO { posix_spawn_file_actions_addclose(&actions, descriptor) }
        if ownSession { posix_spawnattr_setflags(&attributes, Int16(Self.newSession)) }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let failure = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        guard failure == 0 else { throw BenchmarkFailure("could not start \(executable.path): \(String(cString: strerror(failure)))") }
        processIdentifier = pid
        try standardInput?.fileHandleForReading.close()
        try standardOutput?.fileHandleForWriting.close()
    }

    /// glibc's `POSIX_SPAWN_SETSID`, which Swift's Glibc module leaves out (it is a GNU extension).
    static let newSession: Int32 = 0x80

    public var isRunning: Bool { reap() == nil }

    /// The exit status, or the signal that ended it. Only once it has exited.
    public var terminationStatus: Int32 {
        guard let status = reap() else { preconditionFailure("the process is still running") }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    /// Whether it exited by itself rather than by a signal. Only once it has exited.
    public var exitedNormally: Bool {
        guard let status = reap() else { preconditionFailure("the process is still running") }
        return status & 0x7f == 0
    }

    /// Blocks the calling thread until the child has exited.
    public func waitUntilExit() {
        while reap() == nil { usleep(10_000) }
    }

    /// The child's `waitpid` status once it has exited (reaping it, once).
    private func reap() -> Int32? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(processIdentifier, &raw, WNOHANG) } while reaped == -1 && errno == EINTR
            guard reaped == processIdentifier else { return nil }
            status = raw
            return raw
        }
    }
}
