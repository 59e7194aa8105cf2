extension ScimPatchRequest {
    /// The changes a `PATCH /Groups/{id}` makes, in order, or the 400 of the first operation
    /// that cannot be applied (then nothing is).
    ///
    /// Membership, ops in any case:
    /// - `{"op":"Add","path":"members","value":[{"value":"id1"},{"value":"id2"}]}` adds;
    /// - `{"op":"remove","path":"members[value eq \"id\"]"}` (Okta; Entra with
    ///   `aadOptscim062020`) and `{"op":"Remove","path":"members","value":[{"value":"id"}]}`
    ///   (Entra's default) remove those members; with an empty value array, nobody;
    /// - `{"op":"remove","path":"members"}` with no value removes everyone;
    /// - `{"op":"replace","path":"members","value":[…]}` sets the membership.
    ///
    /// `displayName` and `externalId` are set by path or by a path-less value object (Okta:
    /// `{"op":"replace","value":{"id":"…","displayName":"…"}}`; its `id` is skipped), which may
    /// also carry `members` to add or replace. Removing `displayName` is a 400 `mutability`; a
    /// member filter with a value, or a member value that is not `{"value": "<id>"}`, is a 400.
    public func groupChanges() throws(ScimError) -> [ScimGroupChange] {
        var changes: [ScimGroupChange] = []
        for operation in operations {
            guard let path = operation.path else {
                changes += try operation.pathlessChanges(skipping: ["id", "schemas", "meta"]) { path, value, label throws(ScimError) in
                    try operation.groupChanges(ScimGroupTarget(path, in: label), value: value, label: label)
                }
                continue
            }
            changes += try operation.groupChanges(ScimGroupTarget(path, in: operation.label), value: operation.value, label: operation.label)
        }
        return changes
    }
}

extension ScimPatchRequest.Operation {
    fileprivate func groupChanges(_ target: ScimGroupTarget, value: ScimJSON?, label: String) throws(ScimError) -> [ScimGroupChange] {
        let at = "\(label) value"
        if op == .remove {
            switch target {
            case .ignored: return []
            case .displayName: throw .mutability("\(label): displayName is required and cannot be removed.")
            case .externalId: return [.externalId(nil)]
            case .selectedMembers(let members): return [.removeMembers(members)]
            case .members:
                // Entra's default removes with a value array; only a remove without one means everyone.
                guard let value, value != .null else { return [.removeAllMembers] }
                let members = try ScimGroupInput.Member.list(value, at: at).map(\.value)
                return members.isEmpty ? [] : [.removeMembers(members)]
            }
        }
        if case .selectedMembers = target {
            throw .invalidPath("\(label): a member filter only selects members to remove; \(op.rawValue) \"members\" instead.")
        }
        guard let value else { throw .invalidValue("\(label) needs a \"value\".") }
        switch target {
        case .ignored, .selectedMembers: return []
        case .displayName: return [.displayName(try value.requiredStringValue(at: at))]
        case .externalId: return [.externalId(try value.optionalStringValue(at: at))]
        case .members:
            let members = try ScimGroupInput.Member.list(value, at: at).map(\.value)
            if op == .replace { return [.replaceMembers(members)] }
            return members.isEmpty ? [] : [.addMembers(members)]
        }
    }
}
