import Dispatch
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `USERSYNC_PARENT_PID`: a process started as another program's child, told that program's
/// process id, stops (as on SIGTERM) once that program has gone, whether or not it stopped its
/// children first. A benchmark that crashed left its `serve` and `work` running: they held their
/// ports and, their database gone, kept retrying on the shared cores through the next
/// benchmark's measurements.
///
/// A process whose parent ends is given to another (init, or the nearest subreaper), so the parent
/// is looked at once a second; being told the id makes a parent that was gone before this process
/// looked the first time no different.
enum ParentWatch {
    static func parent(_ reader: inout EnvironmentReader) -> Int32? {
        guard let text = reader.raw(.parentPID) else { return nil }
        guard let pid = Int32(text), pid > 0 else {
            reader.problem(.parentPID, "must be a process id (a positive integer)")
            return nil
        }
        return pid
    }

    /// Watches, for the rest of the process's life, that `parent` (when set) is still the parent.
    static func start(_ parent: Int32?, process name: String, logger: Logger) {
        guard let parent else { return }
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "usersync.parent-watch"))
        source.schedule(deadline: .now(), repeating: .seconds(1))
        // The handler holds the source, and so keeps it alive, until it fires and cancels it.
        source.setEventHandler {
            guard getppid() != parent else { return }
            logger.notice(
                "\(name): the process that started it has gone; stopping (USERSYNC_PARENT_PID)", metadata: ["parent_pid": "\(parent)"])
            source.cancel()
            kill(getpid(), SIGTERM)
        }
        source.resume()
    }
}
