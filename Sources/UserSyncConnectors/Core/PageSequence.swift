import UserSyncDomain

/// A platform listing as an asynchronous sequence of pages. Each page is fetched when the
/// iterator asks for it, so a caller that processes page by page never holds the whole listing.
/// Pages may be empty while more follow (Graph does that); the sequence ends when the platform
/// gives no next cursor.
public struct PageSequence<Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = [Item]
    public typealias Failure = PlatformFailure
    /// Fetches the page at `cursor` (`nil` for the first) and returns it with the next cursor.
    public typealias Fetch = @Sendable (_ cursor: String?) async throws(PlatformFailure) -> Page

    public struct Page: Sendable {
        public var items: [Item]
        public var next: String?

        public init(items: [Item], next: String?) {
            self.items = items
            self.next = next
        }
    }

    private let platform: Platform
    private let fetch: Fetch

    public init(_ platform: Platform, _ fetch: @escaping Fetch) {
        self.platform = platform
        self.fetch = fetch
    }

    /// A listing of exactly one page, for platforms whose endpoint is not paginated.
    public static func single(_ platform: Platform, _ fetch: @escaping @Sendable () async throws(PlatformFailure) -> [Item]) -> Self {
        Self(platform) { _ async throws(PlatformFailure) in Page(items: try await fetch(), next: nil) }
    }

    /// One page at `cursor` (`nil` for the first), for listings a client pages through itself.
    /// The cursor is the platform's own: callers must treat it as opaque.
    public func page(at cursor: String?) async throws(PlatformFailure) -> Page {
        try await fetch(cursor)
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(platform: platform, fetch: fetch) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Failure = PlatformFailure
        let platform: Platform
        let fetch: Fetch
        var cursor: String?
        var finished = false

        init(platform: Platform, fetch: @escaping Fetch) {
            self.platform = platform
            self.fetch = fetch
        }

        public mutating func next() async throws(PlatformFailure) -> [Item]? {
            if finished { return nil }
            let page = try await fetch(cursor)
            if let next = page.next, next == cursor {
                // A platform that hands back the cursor it was given would loop forever.
                throw PlatformFailure(.malformedResponse, platform: platform, message: "the platform repeated a page cursor")
            }
            cursor = page.next
            finished = page.next == nil
            return page.items
        }
    }

    /// Collects every item. For tests and small listings only.
    public func collect() async throws(PlatformFailure) -> [Item] {
        var all: [Item] = []
        var iterator = makeAsyncIterator()
        while let page = try await iterator.next() { all += page }
        return all
    }
}
