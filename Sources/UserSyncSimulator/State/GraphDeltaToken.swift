/// What a Graph group delta `$deltatoken` or `$skiptoken` stands for: the first request's query
/// and a position in the organization's membership log. Sealed by ``DeltaTokenCodec``.
struct GraphDeltaToken: Codable, Sendable, Equatable {
    var organization: String
    /// The ids of the `$filter`, deduplicated in its order; nil tracks every group.
    var groups: [String]?
    /// `$select` as the first request sent it (to rebuild that request after 410 Gone).
    var select: String?
    /// The membership log's epoch when the token was issued; expiring tokens moves it on.
    var epoch: UInt64
    /// The log position the round reports changes after; nil for the initial round, which
    /// reports every member.
    var since: Int?
    /// The log position the round reports up to. Set in skip tokens (every page of a round
    /// reads the same range); nil in delta links, whose round ends wherever the log is.
    var upTo: Int?
    /// The page of the round.
    var page: Int
    /// Member entries per page, fixed when the round starts so its pages fit together; nil in
    /// delta links.
    var pageSize: Int?
    /// Seconds since 1970 when the round's first request was answered.
    var issuedAt: Double

    /// `members` is in `$select`: the round carries `members@delta`.
    var selectsMembers: Bool { properties.contains("members") }

    /// The selected properties, lower-cased (Graph ignores case); Graph's defaults when nothing
    /// was selected.
    var properties: Set<String> {
        guard let select else { return ["displayname", "description"] }
        return Set(select.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }
}

extension GraphDeltaToken {
    /// The delta link of the round that ends at `position`.
    func startingNext(at position: Int, now: Double) -> GraphDeltaToken {
        var next = self
        next.since = position
        next.upTo = nil
        next.page = 0
        next.pageSize = nil
        next.issuedAt = now
        return next
    }
}
