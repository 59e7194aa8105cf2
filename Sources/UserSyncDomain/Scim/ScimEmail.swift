/// One entry of a User's `emails` as sent, reduced to the one address the endpoint keeps.
struct ScimEmail: Equatable {
    let value: String
    let type: String?
    let primary: Bool

    var isWork: Bool { type?.lowercased() == "work" }

    /// Reads `emails` (an array of `{value, type, primary}`; a lone object is taken as an array
    /// of one). Entries without a value are skipped; `primary` may be Entra's "True".
    static func list(_ json: ScimJSON, at field: String) throws(ScimError) -> [ScimEmail] {
        let entries: [ScimJSON]
        switch json {
        case .null: return []
        case .array(let array): entries = array
        case .object: entries = [json]
        default: throw .invalidValue("\(field) must be an array of {value, type, primary}, got \(json.kind).")
        }
        var emails: [ScimEmail] = []
        for (index, entry) in entries.enumerated() {
            let at = "\(field)[\(index)]"
            guard case .object = entry else { throw .invalidValue("\(at) must be an object {value, type, primary}, got \(entry.kind).") }
            guard let value = try entry.optionalString("value", at: "\(at).value") else { continue }
            emails.append(
                ScimEmail(
                    value: value, type: try entry.optionalString("type", at: "\(at).type"),
                    primary: try entry.optionalBool("primary", at: "\(at).primary") ?? false))
        }
        return emails
    }

    /// The address to keep: the primary one, else the work one, else the first (RFC 7643 §2.4:
    /// `primary` marks the preferred value; Entra sends `mail` as the work, primary address).
    static func preferred(_ emails: [ScimEmail]) -> ScimEmail? {
        emails.first(where: \.primary) ?? emails.first(where: \.isWork) ?? emails.first
    }
}
