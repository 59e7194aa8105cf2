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
    /// takes its starter's, so `work` does it once, before it runs anything: the event loops, which
    /// run its jobs (the executor takeover), are among the threads it changes. Dispatch may start
    /// threads of its own at its own priority. Answers the threads it could not change.
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
}
