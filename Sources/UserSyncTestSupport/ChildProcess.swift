import Foundation

/// Stopping a child process without ever waiting on it forever: benchmarks, tests and their
/// helpers stop `serve`, `work` and tools through here.
public enum ChildProcess {
    /// Sends SIGTERM (unless it has exited already) and waits up to `limit` for `process` to exit;
    /// if it has not, kills it with SIGKILL and says so on standard error, naming it. Returns
    /// whether it exited by itself. Blocks the calling thread for at most `limit`.
    @discardableResult
    public static func stop(_ process: some ChildProcessHandle, name: String, within limit: Duration) -> Bool {
        stop([(process, name)], within: limit)
    }

    /// The same for several processes at once, all signalled first.
    @discardableResult
    public static func stop(_ processes: [(any ChildProcessHandle, String)], within limit: Duration) -> Bool {
        for (process, _) in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + limit
        while processes.contains(where: { $0.0.isRunning }), ContinuousClock.now < deadline { usleep(20_000) }
        var exited = true
        for (process, name) in processes where !process.isRunning && process.terminationStatus != 0 && process.exitedNormally {
            FileHandle.standardError.write(Data("\(name) (pid \(process.processIdentifier)) exited with status \(process.terminationStatus)\n".utf8))
        }
        for (process, name) in processes where process.isRunning {
            exited = false
            FileHandle.standardError.write(
                Data(
                    "\(name) (pid \(process.processIdentifier)) did not exit within \(limit) of SIGTERM; killed it with SIGKILL\n".utf8))
            kill(process.processIdentifier, SIGKILL)
        }
        for (process, _) in processes { process.waitUntilExit() }  // at once: exited or killed
        return exited
    }
}

/// What ``ChildProcess`` stops: a Foundation `Process`, or a ``SessionProcess``.
public protocol ChildProcessHandle: AnyObject {
    var processIdentifier: Int32 { get }
    var isRunning: Bool { get }
    /// The exit status, or the signal that ended it. Only once it has exited.
    var terminationStatus: Int32 { get }
    /// Whether it exited by itself rather than by a signal. Only once it has exited.
    var exitedNormally: Bool { get }
    func waitUntilExit()
}

extension Process: ChildProcessHandle {
    public var exitedNormally: Bool { terminationReason == .exit }
}
