/// Typed reads of one member of a JSON object, throwing a 400 `invalidValue` that names the
/// member (`emails[1].value must be a string, got a number.`), so the admin reading Entra's
/// provisioning log knows which mapping to fix.
extension ScimJSON {
    /// An optional string: absent, null and "" are all nil (Entra and Okta send "" for an empty
    /// source attribute; storing "" would make it look set).
    func optionalString(_ name: String, at field: String) throws(ScimError) -> String? {
        guard let value = self[attribute: name] else { return nil }
        return try value.optionalStringValue(at: field)
    }

    func optionalStringValue(at field: String) throws(ScimError) -> String? {
        switch self {
        case .null: return nil
        case .string(let text): return text.isEmpty ? nil : text
        default: throw .invalidValue("\(field) must be a string, got \(kind).")
        }
    }

    /// A string that must be there and must not be blank.
    func requiredString(_ name: String, at field: String) throws(ScimError) -> String {
        guard let value = self[attribute: name] else { throw .invalidValue("\(field) is required.") }
        return try value.requiredStringValue(at: field)
    }

    func requiredStringValue(at field: String) throws(ScimError) -> String {
        guard case .string(let text) = self else {
            throw .invalidValue("\(field) must be a non-empty string, got \(kind).")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidValue("\(field) must not be empty.")
        }
        return text
    }

    /// An optional boolean, accepting Entra's "True"/"False" strings.
    func optionalBool(_ name: String, at field: String) throws(ScimError) -> Bool? {
        guard let value = self[attribute: name], value != .null else { return nil }
        return try value.boolValue(at: field)
    }

    func boolValue(at field: String) throws(ScimError) -> Bool {
        guard let flag = lenientBool else { throw .invalidValue("\(field) must be true or false, got \(describedValue).") }
        return flag
    }

    /// The value in an error detail: short strings are quoted, other kinds are named.
    var describedValue: String {
        if case .string(let text) = self, text.count <= 40 { return "\"\(text)\"" }
        return kind
    }
}
