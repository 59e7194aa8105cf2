import Synchronization
import UserSyncDomain

/// The direct-message conversations a connection's relay posts into, by who posts (the app's
/// bot, or a linked person) and to whom. A DM between the same two stays the same conversation, so
/// it is looked up on the platform once per process (Slack's `conversations.open`, Teams'
/// installed-app chat or `POST /chats`), not once per message. One per connection and credentials
/// (``ConnectorFactory``); bounded, and a conversation the platform no longer knows is forgotten
/// and looked up again.
final class DirectConversations: Sendable {
    struct Key: Hashable {
        /// "bot", or the linked person's user id.
        var author: String
        var recipient: String
    }

    private let known = Mutex<[Key: String]>([:])
    private let capacity: Int

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// Runs `use` with the conversation between `author` and `recipient`, opened by `open` when it
    /// is not known. When the platform answers that a remembered conversation is not found, it is
    /// opened again and `use` runs once more: nothing was posted into a conversation that is gone.
    func with<T>(
        author: String, recipient: String, open: () async throws(PlatformFailure) -> String,
        _ use: (String) async throws(PlatformFailure) -> T
    ) async throws(PlatformFailure) -> T {
        let key = Key(author: author, recipient: recipient)
        if let remembered = known.withLock({ $0[key] }) {
            do {
                return try await use(remembered)
            } catch  where error.cause == .targetNotFound {
                known.withLock { _ = $0.removeValue(forKey: key) }
            }
        }
        let opened = try await open()
        known.withLock { known in
            // Bounded by forgetting everything at once: cheaper than tracking use, and a forgotten
            // conversation costs one lookup.
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known[key] = opened
        }
        return try await use(opened)
    }
}
