import Dispatch
import Foundation
import Logging
import Synchronization

/// The last guarantee that a process asked to stop does stop: armed by the first SIGTERM or
/// SIGINT, it aborts the process `limit` later if it is still running, saying so, and leaves the
/// backtrace of every thread in its log. Shutdown is
/// normally over long before (the service group stops every service in order, within its own
/// bound); an orchestrator kills a process that outlives its grace period anyway, but only after
/// waiting it out, and a benchmark or test waiting on the process would wait with it.
///
/// It listens beside the service group's own signal handling (a second dispatch source for the
/// same signals), so it depends on nothing inside the group finishing, and lives as long as the
/// process, so it still acts if something hangs after the group has returned.
final class ShutdownWatchdog: @unchecked Sendable {  // `sources` is set once, in init, and only kept alive
    private static let armed = Mutex<ShutdownWatchdog?>(nil)
    private let sources: [any DispatchSourceSignal]
    private let triggered = Mutex(false)

    /// Arms the watchdog for the rest of the process's life.
    static func arm(limit: Duration, process name: String, logger: Logger) {
        armed.withLock { $0 = ShutdownWatchdog(limit: limit, name: name, logger: logger) }
    }

    private init(limit: Duration, name: String, logger: Logger) {
        let queue = DispatchQueue(label: "usersync.shutdown-watchdog")
        sources = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        let seconds = limit.components.seconds
        for source in sources {
            // The watchdog lives as long as the process (``armed``): capturing it is no leak.
            source.setEventHandler { [self] in
                guard
                    triggered.withLock({ first in
                        defer { first = true }
                        return !first
                    })
                else { return }
                queue.asyncAfter(deadline: .now() + .seconds(Int(seconds))) {
                    logger.critical(
                        "\(name) did not finish stopping within \(seconds) s of the signal to stop; aborting (the backtrace of every thread follows)")
                    // Waits for nothing, not even exit handlers; Swift's runtime backtracer then
                    // prints what every thread was doing, which is what a hang needs to be found.
                    abort()
                }
            }
            source.resume()
        }
    }
}
