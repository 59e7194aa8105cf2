import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The CPU priority of `usersync work` beside the API on shared cores (`USERSYNC_WORKER_NICE`):
/// the kernel shares busy cores by runnable thread, so a worker running flat out took most of
/// them, and the API's requests waited in line (docs/scaling.md, "The API beside a busy worker").
/// A higher nice value gives its threads less of a busy core and changes nothing on an idle one.
enum ProcessPriority {
    /// Lowers every thread of this process to `nice`; one already lower stays so (raising it back
    /// would take a privilege). Linux keeps a nice value per thread, and a thread started later
    /// takes its starter's, so the threads running now are the ones to change: `runFromCommandLine`
    /// does it first thing, before the event loops start, from the process's environment, and
    /// `work` again with its settings (an `--env-file`'s value). The event loops run the jobs
    /// (the executor takeover); Dispatch may start threads of its own at its own priority.
    /// Answers the threads it could not change.
    @discardableResult
    static func lower(to nice: Int32) -> [Int32] {
        guard nice > 0 else { return [] }
        #if os(Linux)
            let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.compactMap { Int32($0) } ?? []
            return (threads.isEmpty ? [0] : threads).filter { thread in
                errno = 0
                let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(thread))
                guard errno != 0 || current < nice else { return false }
                return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(thread), nice) != 0
            }
        #else
            return []
        #endif
    }

    /// `USERSYNC_WORKER_NICE` for `subcommand` from the process's environment: nil for any other
    /// command, or a value the settings will refuse.
    static func early(for subcommand: String?, setting: String?) -> Int32? {
        guard subcommand == WorkCommand.configuration.commandName, let value = setting.flatMap(Int32.init), (0...19).contains(value) else {
            return nil
        }
        return value
    }
}
