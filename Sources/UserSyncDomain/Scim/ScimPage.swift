/// One page of a filtered list (RFC 7644 §3.4.2.4): how many match in all, and those of the page.
public struct ScimPage<Item: Sendable>: Sendable {
    public var totalResults: Int
    public var items: [Item]

    public init(totalResults: Int, items: [Item]) {
        self.totalResults = totalResults
        self.items = items
    }
}

/// Which page of a list: `startIndex` is 1-based as SCIM counts; `count` may be 0 (only the total).
public struct ScimPaging: Sendable, Equatable {
    public let startIndex: Int
    public let count: Int

    public init(startIndex: Int, count: Int) {
        self.startIndex = startIndex
        self.count = count
    }

    public var offset: Int { startIndex - 1 }
}
