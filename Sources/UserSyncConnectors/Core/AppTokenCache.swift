import Foundation
import UserSyncDomain

/// An app token that expires (Graph, Bot Framework, Zoom), cached until shortly before expiry.
/// Concurrent callers that find it stale share one renewal instead of each requesting a token.
actor AppTokenCache {
    struct Token: Sendable {
        var value: String
        var expiresAt: Date
    }

    typealias Fetch = @Sendable () async throws(PlatformFailure) -> Token

    private let platform: Platform
    private let margin: TimeInterval
    private let now: @Sendable () -> Date
    private var current: (token: Token, renewAt: Date)?
    private var renewal: Task<Token, any Error>?

    init(platform: Platform, margin: Duration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.platform = platform
        self.margin = Double(margin.components.seconds)
        self.now = now
    }

    func token(_ fetch: @escaping Fetch) async throws(PlatformFailure) -> String {
        if let current, now() < current.renewAt { return current.token.value }
        // One unstructured task per renewal, shared by every waiter: a caller that is cancelled
        // must not cancel the renewal the others are waiting on.
        let task = renewal ?? Task { try await fetch() }
        renewal = task
        do {
            let token = try await task.value
            // Only the first waiter to resume stores the token; a late one must not put back a
            // token that was since invalidated or replaced.
            if renewal == task {
                renewal = nil
                let issued = now()
                // Renew `margin` before expiry, but never sooner than half-way through a short lifetime.
                let lifetime = token.expiresAt.timeIntervalSince(issued)
                current = (token, token.expiresAt.addingTimeInterval(-min(margin, max(0, lifetime / 2))))
            }
            return token.value
        } catch {
            if renewal == task { renewal = nil }
            throw error as? PlatformFailure
                ?? PlatformFailure(.platformUnavailable, platform: platform, message: "token renewal was interrupted")
        }
    }

    /// Forgets the cached token after the platform rejected it before its stated expiry.
    func invalidate(_ value: String) {
        if current?.token.value == value { current = nil }
    }
}
