/// The one `$filter` Graph's group delta query takes: `id eq '…'`, several joined with `or`, at
/// most 50 ids.
enum GraphDeltaFilter {
    static let maxIDs = 50

    /// The ids in filter order without repeats, or a 400 in Graph's words.
    static func ids(_ filter: String) throws(SimError) -> [String] {
        var ids: [String] = []
        for clause in filter.split(separator: #/\s+or\s+/#.ignoresCase()) {
            guard let match = clause.wholeMatch(of: #/\s*id\s+eq\s+'([^']+)'\s*/#.ignoresCase()) else {
                throw .badRequest(
                    code: "Request_UnsupportedQuery",
                    message: "Unsupported query filter for delta: only 'id eq' clauses joined with 'or' are supported.")
            }
            let id = String(match.output.1)
            if !ids.contains(id) { ids.append(id) }
        }
        guard !ids.isEmpty, ids.count <= maxIDs else {
            throw .badRequest(
                code: "Request_UnsupportedQuery", message: "The filter may name between 1 and \(maxIDs) ids; it names \(ids.count).")
        }
        return ids
    }

    /// The filter that names `ids`, for a request that starts over.
    static func text(_ ids: [String]) -> String {
        ids.map { "id eq '\($0)'" }.joined(separator: " or ")
    }
}
