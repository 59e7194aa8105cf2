/// Which of a user's emails a value filter on `emails` picks, given that the endpoint keeps one
/// email per user: the work or primary one (Entra maps `mail` to `emails[type eq "work"].value`).
enum ScimEmailSelector: Equatable {
    /// `emails[type eq "work"]` or `emails[primary eq true]`: the email that is stored.
    case stored
    /// `emails[type eq "other"]` and other types: an address that is not stored (Entra maps
    /// `proxyAddresses` there).
    case notStored

    /// Nil unless `path` is `emails[…]` with one of those two comparisons.
    init?(_ path: ScimAttributePath) {
        guard path.schema == nil, path.attribute.lowercased() == "emails",
            case .compare(let inner, .eq, let value)? = path.valueFilter, inner.schema == nil, inner.valueFilter == nil, inner.subAttribute == nil
        else { return nil }
        switch (inner.attribute.lowercased(), value) {
        case ("type", .string(let type)): self = type.lowercased() == "work" ? .stored : .notStored
        case ("primary", .boolean(true)): self = .stored
        case ("primary", .string(let text)) where ScimJSON.string(text).lenientBool == true: self = .stored
        default: return nil
        }
    }
}
