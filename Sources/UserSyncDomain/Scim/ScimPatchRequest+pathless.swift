extension ScimPatchRequest.Operation {
    /// The changes of an operation without a `path`: an add or replace whose value is an object
    /// of attributes, each key read as a path (`"active"`, Entra's `"name.givenName"`, an
    /// extension URN). Keys are visited in sorted order so the result does not depend on JSON
    /// member order. A remove without a path is a 400 `noTarget` (RFC 7644 §3.5.2.2).
    /// `changes` gets each key's path, value, and a label naming the operation and the key.
    func pathlessChanges<Change>(
        skipping readOnly: Set<String>, _ changes: (ScimAttributePath, ScimJSON, String) throws(ScimError) -> [Change]
    ) throws(ScimError) -> [Change] {
        guard op != .remove else { throw .noTarget("\(label): a remove needs a \"path\".") }
        guard case .object(let members)? = value else {
            throw .invalidValue("\(label): without a \"path\", the value must be an object of attributes, got \(value?.kind ?? "none").")
        }
        var result: [Change] = []
        for key in members.keys.sorted() where !readOnly.contains(key.lowercased()) {
            let path: ScimAttributePath
            do { path = try ScimAttributePath.parse(key) } catch { throw .invalidPath("\(label): value key '\(key)': \(error.detail)") }
            result += try changes(path, members[key]!, "Operations[\(index)] (\(op.rawValue) \(key))")
        }
        return result
    }
}
