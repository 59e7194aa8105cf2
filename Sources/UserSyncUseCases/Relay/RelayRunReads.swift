import Foundation
import Synchronization
import UserSyncDomain

extension RelayDelivery {
    /// What a delivery run reads for one message and reuses for the next ones of its conversation
    /// (``RecentReads``, for ``RelaySettings/runReadReuse``): the route from the sender's account to
    /// the recipient, the organization's policy for the two, and what a thread's message tells:
    /// whom a reply in it is for, and its copy on the destination. A conversation's messages mostly
    /// go between the same two people, in one thread, and those reads were six of the ten
    /// statements a message took. What is read for every message: the message itself, and whom a
    /// message outside a thread is for.
    final class RunReads: Sendable {
        struct RouteKey: Hashable, Sendable {
            var platform: Platform
            var account: String
            var connection: ConnectionID
            var recipient: PersonID
        }

        typealias PolicyAnswer = (policy: RelayPolicy, restricted: Set<PersonID>)

        /// A thread's message's copy on a destination connection.
        struct CopyKey: Hashable, Sendable {
            var thread: String
            var destination: ConnectionID
        }

        let routes: Reused<RouteKey, MessageRouting.Route>
        let policies: Reused<[PersonID], PolicyAnswer>
        /// By thread (a run delivers one conversation): the recipient of the sender's own relayed
        /// message there…
        let ownThreads: Reused<String, PersonID?>
        /// … or the relayed message that the thread's message is a copy of.
        let answered: Reused<String, RelayMessage?>
        /// The thread's message on the destination.
        let counterparts: Reused<CopyKey, String?>

        init(maxAge: Duration) {
            routes = Reused(maxAge: maxAge)
            policies = Reused(maxAge: maxAge)
            ownThreads = Reused(maxAge: maxAge)
            answered = Reused(maxAge: maxAge)
            counterparts = Reused(maxAge: maxAge)
        }
    }

    /// One kind of read a run reuses.
    final class Reused<Key: Hashable & Sendable, Value: Sendable>: Sendable {
        private let reads: Mutex<RecentReads<Key, Value>>

        init(maxAge: Duration) { reads = Mutex(RecentReads(maxAge: maxAge)) }

        /// The value read for `key` a short while ago, else `read()`'s, remembered as read at
        /// `now`. A read that throws (a message that cannot be routed) is not remembered.
        func value(for key: Key, now: Date, read: () async throws -> Value) async throws -> Value {
            if let recent = reads.withLock({ $0.value(for: key, now: now) }) { return recent }
            let value = try await read()
            reads.withLock { $0.store(value, for: key, readAt: now) }
            return value
        }
    }
}
