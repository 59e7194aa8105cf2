extension ScimPatchRequest {
    /// The changes a `PATCH /Users/{id}` makes, in order, or the 400 of the first operation that
    /// cannot be applied (then nothing is).
    ///
    /// Accepted shapes, ops in any case:
    /// - a path: `{"op":"Replace","path":"active","value":"False"}` (Entra),
    ///   `{"op":"replace","path":"emails[type eq \"work\"].value","value":"…"}`, `name.givenName`, …;
    /// - no path, a value object (Okta: `{"op":"replace","value":{"active":false}}`; Entra with
    ///   `aadOptscim062020`: keys such as `"name.givenName"` and extension URNs). Each key is
    ///   taken as a path; `id`, `schemas`, `meta` and `groups` keys are skipped.
    ///
    /// Which paths are kept, ignored or refused is ``ScimUserTarget``'s rule. Add and replace
    /// both set a single-valued attribute (Entra uses either); null or "" clears an optional one.
    /// `emails` keeps one address (``ScimUserInput/email``): setting the work or primary entry,
    /// or the whole list, sets it; removing any of them clears it.
    /// Removing `userName` or `active` is a 400 `mutability`; a remove without a path is a 400
    /// `noTarget`. Values of the wrong type are a 400 `invalidValue`.
    public func userChanges() throws(ScimError) -> [ScimUserChange] {
        var changes: [ScimUserChange] = []
        for operation in operations {
            guard let path = operation.path else {
                changes += try operation.pathlessChanges(skipping: ["id", "schemas", "meta", "groups"]) { path, value, label throws(ScimError) in
                    try operation.userChanges(ScimUserTarget(path, in: label), value: value, label: label)
                }
                continue
            }
            changes += try operation.userChanges(ScimUserTarget(path, in: operation.label), value: operation.value, label: operation.label)
        }
        return changes
    }
}

extension ScimPatchRequest.Operation {
    /// `value` is the operation's (or, without a path, the value object member's) value;
    /// `label` names it in error details.
    fileprivate func userChanges(_ target: ScimUserTarget, value: ScimJSON?, label: String) throws(ScimError) -> [ScimUserChange] {
        if op == .remove {
            switch target {
            case .userName: throw .mutability("\(label): userName is required and cannot be removed.")
            case .active: throw .mutability("\(label): active cannot be removed; replace it with false to deactivate the user.")
            case .externalId: return [.externalId(nil)]
            case .displayName: return [.displayName(nil)]
            case .name: return [.givenName(nil), .familyName(nil), .formattedName(nil)]
            case .givenName: return [.givenName(nil)]
            case .familyName: return [.familyName(nil)]
            case .formattedName: return [.formattedName(nil)]
            case .email, .emailEntry, .emails: return [.email(nil)]
            case .ignored: return []
            }
        }
        guard let value else { throw .invalidValue("\(label) needs a \"value\".") }
        let at = "\(label) value"
        switch target {
        case .userName: return [.userName(try value.requiredStringValue(at: at))]
        case .active: return [.active(try value.boolValue(at: at))]
        case .externalId: return [.externalId(try value.optionalStringValue(at: at))]
        case .displayName: return [.displayName(try value.optionalStringValue(at: at))]
        case .givenName: return [.givenName(try value.optionalStringValue(at: at))]
        case .familyName: return [.familyName(try value.optionalStringValue(at: at))]
        case .formattedName: return [.formattedName(try value.optionalStringValue(at: at))]
        case .email: return [.email(try value.optionalStringValue(at: at))]
        case .name:
            // RFC 7644 §3.5.2.3: sub-attributes left out of the value are left unchanged.
            guard case .object = value else {
                if value == .null { return [.givenName(nil), .familyName(nil), .formattedName(nil)] }
                throw .invalidValue("\(at) must be an object {givenName, familyName, formatted}, got \(value.kind).")
            }
            var changes: [ScimUserChange] = []
            if let given = value[attribute: "givenName"] { changes.append(.givenName(try given.optionalStringValue(at: "\(at).givenName"))) }
            if let family = value[attribute: "familyName"] { changes.append(.familyName(try family.optionalStringValue(at: "\(at).familyName"))) }
            if let formatted = value[attribute: "formatted"] {
                changes.append(.formattedName(try formatted.optionalStringValue(at: "\(at).formatted")))
            }
            return changes
        case .emailEntry, .emails:
            let emails = try ScimEmail.list(value, at: at)
            // Adding nothing leaves the kept address alone; replacing with nothing clears it.
            if emails.isEmpty, op == .add { return [] }
            return [.email(ScimEmail.preferred(emails)?.value)]
        case .ignored: return []
        }
    }
}
