import UserSyncDomain

extension ScimPaging {
    /// Entra and Okta page with `count` 100 or less; Okta probes with `startIndex=1&count=2`.
    public static let defaultCount = 100
    /// The `filter.maxResults` of ``ServiceProviderConfig``: a larger `count` gets this many.
    public static let maximumCount = 1_000

    /// The page a client asked for, as RFC 7644 §3.4.2.4 reads it: a `startIndex` below 1 is
    /// 1, a negative `count` is 0, and a `count` above the maximum is the maximum (the
    /// response's `itemsPerPage` says how many came).
    public static func requested(startIndex: Int?, count: Int?) -> ScimPaging {
        ScimPaging(startIndex: max(1, startIndex ?? 1), count: min(maximumCount, max(0, count ?? defaultCount)))
    }
}
