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

    /// Lowers the priority of this process's autogroup to `nice` as well, when the process leads
    /// its own session and so has the group to itself (a service that systemd, Docker or a
    /// benchmark started). With the kernel's autogroups on, the default of many distributions for
    /// processes outside a CPU cgroup, busy cores are shared between sessions before threads: a
    /// thread's nice then orders it only against its own session's threads, and every PostgreSQL
    /// session, which leads a session of its own, weighed as much as the whole worker. Answers
    /// false when the group's priority could not be lowered, nil when there is none to lower (no
    /// autogroups, or a session shared with other processes, which it would slow down too).
    static func lowerAutogroup(to nice: Int32) -> Bool? {
        guard nice > 0 else { return nil }
        #if os(Linux)
            let path = "/proc/self/autogroup"
            guard getsid(0) == getpid(), let line = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            // "/autogroup-42 nice 0"
            if let current = line.split(separator: " ").last.flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                current >= nice
            {
                return true
            }
            // Without CAP_SYS_ADMIN the kernel takes one such change a tenth of a second, on the
            // whole host (EAGAIN): workers started together take turns.
            for attempt in 0..<5 {
                if attempt > 0 { usleep(110_000) }
                if (try? "\(nice)".write(toFile: path, atomically: false, encoding: .utf8)) != nil { return true }
            }
            return false
        #else
            return nil
        #endif
    }
}
