extension ScimGroupInput.Member {
    /// Reads a `members` value: an array of `{value, display}` (a lone object counts as one).
    /// A repeated `value` keeps its first entry: adding someone twice is adding them once.
    static func list(_ json: ScimJSON, at field: String) throws(ScimError) -> [Self] {
        let entries: [ScimJSON]
        switch json {
        case .null: return []
        case .array(let array): entries = array
        case .object: entries = [json]
        default: throw .invalidValue("\(field) must be an array of {\"value\": \"<user id>\"}, got \(json.kind).")
        }
        var members: [Self] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let at = "\(field)[\(index)]"
            guard case .object = entry else { throw .invalidValue("\(at) must be an object {\"value\": \"<user id>\"}, got \(entry.kind).") }
            let value = try entry.requiredString("value", at: "\(at).value")
            if seen.insert(value).inserted {
                members.append(Self(value: value, display: try entry.optionalString("display", at: "\(at).display")))
            }
        }
        return members
    }
}
